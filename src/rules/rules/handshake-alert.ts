import type { AlertFact } from '../../facts/types.js';
import { ALERT_DESCRIPTION_NAMES, ALERT_LEVEL_NAMES, AlertLevel } from '../../tls/registry/alerts.js';
import type { CatalogEntry, FindingDraft, Rule } from '../types.js';
import { alertLabel } from './shared.js';

/** The catalog entries of the findings this module's rules produce (docs/findings.md is rendered from them). */
export const handshakeAlertFindings = [
  {
    id: 'handshake-alert',
    about: 'narration',
    severity: 'info',
    title: 'A fatal alert ended the handshake',
    meaning: 'One side sent a fatal alert. Who sent it and which alert it is tell which side rejected what.',
    evidence: 'The alert frame, its sender, level and description.',
    remedy: 'See the other findings on this connection for the cause the alert points to.',
  },
] as const satisfies readonly CatalogEntry[];


/** What an alert means in practice, by who sent it (keyed by IANA name, looked up by code). */
const MEANINGS: Record<string, { client?: string; server?: string; any: string }> = {
  unknown_ca: {
    client: 'the client does not trust the CA that issued the server certificate (or the server left out its intermediate)',
    server: 'the server does not trust the CA that issued the client certificate',
    any: 'the receiver could not find a trusted CA for the certificate it was sent',
  },
  bad_certificate: {
    client: 'the client rejected the server certificate (often a host name mismatch or a certificate not yet valid)',
    server: 'the server rejected the client certificate (or it was missing or unusable)',
    any: 'the receiver rejected the certificate it was sent',
  },
  certificate_required: {
    server: 'the server requires a client certificate and the client sent none',
    any: 'a certificate was required and none was sent',
  },
  handshake_failure: {
    server: 'the server could not agree on the handshake: no shared cipher or version, or (OpenSSL, Java, Node) a client certificate was required and none was sent',
    client: 'the client could not agree on the parameters the server chose',
    any: 'the two sides could not agree on the handshake',
  },
  certificate_expired: {
    client: 'the client found the server certificate expired',
    server: 'the server found the client certificate expired',
    any: 'a certificate was outside its validity period',
  },
  certificate_unknown: { any: 'the receiver could not use the certificate for an unspecified reason' },
  unsupported_certificate: { any: 'the receiver does not accept this type of certificate' },
  certificate_revoked: { any: 'the certificate was revoked by its issuer' },
  protocol_version: { any: 'the two sides support no common TLS version' },
  insufficient_security: { any: 'the offered parameters are weaker than the receiver accepts' },
  decrypt_error: { any: 'a signature or Finished check failed' },
  illegal_parameter: { any: 'a field in a handshake message was out of range' },
  decode_error: { any: 'a message could not be decoded' },
  unrecognized_name: { any: 'the server does not serve the requested SNI host name' },
  no_application_protocol: { any: 'no ALPN protocol in common' },
  internal_error: { any: 'the sender hit an internal error unrelated to the peer' },
  access_denied: { any: 'the sender accepted the peer\'s identity but its policy refuses it access' },
  bad_record_mac: { any: 'a record did not authenticate: corrupted in transit, or a TLS stack bug (often with middleboxes)' },
  record_overflow: { any: 'a record was longer than allowed' },
  inappropriate_fallback: { server: 'the client retried with a lower version (TLS_FALLBACK_SCSV) although the server supports a higher one: a middlebox broke the first attempt', any: 'a version fallback was refused' },
  missing_extension: { any: 'a required TLS 1.3 extension was missing' },
  unsupported_extension: { any: 'an extension was sent that the receiver did not offer' },
  unknown_psk_identity: { any: 'the PSK identity is not known to the server' },
  no_renegotiation: { any: 'the sender refuses renegotiation' },
  user_canceled: { any: 'the sender cancelled the handshake for a reason unrelated to the protocol' },
  decryption_failed: { any: 'a record could not be decrypted' },
};

export function alertMeaning(alert: AlertFact): string {
  if (alert.code === null) return `an encrypted alert: its description is visible only with the key log`;
  const name = ALERT_DESCRIPTION_NAMES[alert.code];
  const entry = name === undefined ? undefined : MEANINGS[name];
  if (!entry) return `alert ${alert.code}`;
  return entry[alert.side] ?? entry.any;
}

export const handshakeAlert: Rule = {
  produces: ['handshake-alert'],
  run({ facts }) {
    const drafts: FindingDraft[] = [];
    for (const alert of facts.alerts) {
      if (alert.level !== AlertLevel.fatal && alert.level !== null) continue;
      if (alert.level === null && facts.outcome === 'established') continue; // an encrypted close_notify after use
      const level = alert.level === null ? null : ALERT_LEVEL_NAMES[alert.level] ?? null;
      const name = alert.code === null ? 'encrypted alert' : alertLabel(alert);
      drafts.push({
        id: 'handshake-alert',
        explanation: `The ${alert.side} sent ${level ?? 'an'} ${name}${alert.code !== null ? ` (${alert.code})` : ''} in frame ${alert.frame}: ${alertMeaning(alert)}.`,
        evidence: {
          frames: [alert.frame],
          fields: { from: alert.side, level, description: alert.code === null ? null : alertLabel(alert), code: alert.code, encrypted: alert.encrypted },
        },
        explainsAlertFrame: alert.frame,
      });
    }
    return drafts;
  },
};
