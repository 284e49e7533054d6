import type { EncryptedAlertEvent, EncryptedRecordEvent } from '../../tls/events.js';
import { TLS_1_3 } from '../../tls/registry/protocol-versions.js';
import type { CatalogEntry, Rule } from '../types.js';
import { uniqueFrames } from './shared.js';

/** The catalog entries of the findings this module's rules produce (docs/findings.md is rendered from them). */
export const tls13EncryptedFindings = [
  {
    id: 'tls13-encrypted-handshake',
    about: 'keys',
    severity: 'warning',
    title: 'TLS 1.3 handshake encrypted: certificates and alerts are not visible without a key log',
    meaning: 'TLS 1.3 encrypts everything after ServerHello. Without the session keys tlsdiag infers what record sizes and order show (a client flight too small to hold a certificate; the server closing or alerting right after it) and says how to get a key log.',
    evidence: 'The client\'s encrypted second flight (size, records); what the server sent right after it.',
    remedy: 'Record a key log: SSLKEYLOGFILE for curl, Node, Firefox, Chrome; openssl s_client -keylogfile; Java: jSSLKeyLog agent. Then run tlsdiag --keylog <file>.',
  },
] as const satisfies readonly CatalogEntry[];

/** An encrypted TLS 1.3 handshake record carrying a certificate is rarely below this (a small EC leaf + CertificateVerify). */
const FLIGHT_WITH_CERTIFICATE_MIN = 400;

const HOW_TO_GET_KEYS =
  'To see the handshake, capture again with a key log: SSLKEYLOGFILE=<file> for curl, Node (--tls-keylog=<file>), Firefox and Chrome; `openssl s_client -keylogfile <file>`; Java: the jSSLKeyLog agent (-javaagent:jSSLKeyLog.jar=<file>); then run tlsdiag with --keylog <file>.';

/**
 * TLS 1.3 without keys: everything after ServerHello is encrypted. What the record sizes and their order
 * still show is stated, with how to get a key log.
 */
export const tls13EncryptedHandshake: Rule = {
  produces: ['tls13-encrypted-handshake'],
  run({ connection, facts, report }, context) {
    if (connection.version !== TLS_1_3 || !report.encryptedHandshake || connection.keyMismatch) return [];
    // Every record no key opened, alert-sized ones included: the flights' sizes.
    const records = connection.events.filter(
      (e): e is EncryptedRecordEvent | EncryptedAlertEvent => e.kind === 'encrypted-record' || (e.kind === 'encrypted-alert' && e.shownBy === 'size'),
    );
    const serverFlight = records.filter((e) => e.side === 'server');
    const firstServer = serverFlight[0];
    const clientFlight = records.filter((e) => e.side === 'client' && firstServer !== undefined && e.frame > firstServer.frame);
    const lastClientFlight = clientFlight.at(0) ? clientFlight.filter((e) => e.frame === clientFlight[0]!.frame) : [];
    const clientBytes = lastClientFlight.reduce((n, e) => n + e.length, 0);
    const afterClient = lastClientFlight.length > 0 ? lastClientFlight.at(-1)!.frame : null;
    const inferences: string[] = [];
    const frames: number[] = [];
    if (afterClient !== null) {
      frames.push(afterClient);
      inferences.push(
        `The client's encrypted second flight (frame ${afterClient}) is ${clientBytes} bytes in ${lastClientFlight.length} record${lastClientFlight.length === 1 ? '' : 's'}: ${clientBytes >= FLIGHT_WITH_CERTIFICATE_MIN ? 'large enough to hold a client certificate' : 'too small to hold a certificate chain — if the server asked for one, the client probably sent an empty Certificate'}.`,
      );
      const serverAfter = connection.events.find((e) => e.side === 'server' && e.frame > afterClient && (e.kind === 'encrypted-record' || e.kind === 'encrypted-alert' || e.kind === 'close' || e.kind === 'alert'));
      if (serverAfter && facts.outcome !== 'established') {
        frames.push(serverAfter.frame);
        inferences.push(
          serverAfter.kind !== 'encrypted-record'
            ? `Right after it the server ${serverAfter.kind === 'close' ? 'closed the connection' : 'sent an alert-sized record'} (frame ${serverAfter.frame}): typical of a server that rejected a missing or untrusted client certificate (certificate_required, unknown_ca, bad_certificate).`
            : `The server answered it in frame ${serverAfter.frame}.`,
        );
      }
    }
    const keys = context.keyLogGiven
      ? 'A key log was given but holds no secrets for this connection (its client random is not in the file): it was written by another session or another process.'
      : HOW_TO_GET_KEYS;
    return [
      {
        id: 'tls13-encrypted-handshake',
        explanation: `TLS 1.3 encrypts everything after ServerHello (certificates, CertificateRequest, alerts), and no key opened this connection. ${inferences.join(' ')} ${keys}`.replace(/\s+/g, ' ').trim(),
        evidence: {
          frames: uniqueFrames(frames),
          fields: { client_second_flight_bytes: clientBytes, key_log_given: context.keyLogGiven, established: facts.outcome === 'established' },
        },
        remedy: HOW_TO_GET_KEYS,
      },
    ];
  },
};
