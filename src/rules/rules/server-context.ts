import { findMessage } from '../../model/report.js';
import type { AlertFact, ConnectionFacts } from '../../facts/types.js';
import { ALERT_DESCRIPTION_CODES as CODE, AlertLevel } from '../../tls/registry/alerts.js';
import type { TlsConnection } from '../../tls/connection.js';
import type { HandshakeEvent } from '../../tls/events.js';
import type { Certificate } from '../../tls/handshake/types.js';
import type { DecodedCertificate } from '../../x509/types.js';
import type { RuleContext } from '../types.js';
import { decodedCertificates } from './shared.js';


export interface ServerCertificateView {
  certificate: HandshakeEvent & { message: Certificate };
  chain: DecodedCertificate[];
  leaf: DecodedCertificate;
  /** The client's fatal alert that rejected a certificate, when it sent one after the server's Certificate. */
  rejection: AlertFact | null;
}

/** Alerts a client sends when it does not accept the server's certificate. */
export const CERTIFICATE_REJECTIONS: ReadonlySet<number> = new Set(
  ['unknown_ca', 'bad_certificate', 'certificate_unknown', 'certificate_expired', 'unsupported_certificate'].map((name) => CODE[name]!),
);

export function serverCertificateView(connection: TlsConnection, facts: ConnectionFacts): ServerCertificateView | null {
  const certificate = findMessage(connection, 'server', 'Certificate');
  if (!certificate || certificate.message.certificates.length === 0) return null;
  const chain = decodedCertificates(certificate.message);
  const leaf = chain[0];
  if (!leaf) return null;
  const rejection =
    facts.alerts.find(
      (a) => a.side === 'client' && a.level === AlertLevel.fatal && a.frame >= certificate.frame && a.code !== null && CERTIFICATE_REJECTIONS.has(a.code),
    ) ?? null;
  return { certificate, chain, leaf, rejection };
}

/** Server chains are judged against a default store (Node's Mozilla roots, or the OS store), not files the user gave. */
export function judgedByDefaultStore(context: RuleContext): boolean {
  return context.serverAnchors.length === 0 && context.serverTrust != null && context.serverTrust.source !== 'given';
}

/** The store's name for explanations. */
export function storeName(context: RuleContext): string {
  const source = context.serverTrust?.source;
  return source === 'mozilla'
    ? "the Mozilla root store (Node's tls.rootCertificates, what browsers and Zeek trust)"
    : source === 'system'
      ? "the operating system's trust store"
      : 'the --server-ca certificates';
}
