import type { AlertFact } from '../../facts/types.js';
import type { AlertSummary, ConnectionReport, Side } from '../../model/types.js';
import { alertDescriptionName, AlertLevel } from '../../tls/registry/alerts.js';
import type { RuleInput } from '../types.js';
import { closeWithoutAlert, nginxStatusWords, refusalInsideStream, type RefusalPage } from './server-words.js';
import { findMessage } from '../../model/report.js';
import type { TlsConnection } from '../../tls/connection.js';
import type { ApplicationDataEvent } from '../../tls/events.js';
import { decodeCertificate, isCertificateDecodeError, isIssuedBy, isSelfSigned, namesMatch, parseDistinguishedName } from '../../x509/index.js';
import type { DecodedCertificate } from '../../x509/types.js';


/** The first fatal (or unreadable encrypted) alert at or after a frame. */
export function firstFatalAlertAfter(report: ConnectionReport, frame: number, from?: Side): AlertSummary | null {
  return (
    report.alerts.find((a) => a.frame >= frame && (a.level === 'fatal' || a.description === null) && (from === undefined || a.from === from)) ??
    null
  );
}

/** The decodable certificates of a Certificate message: one decode per message, shared with the facts stage. */
export { decodedCertificates } from '../../facts/index.js';

export function decodeAll(ders: readonly Uint8Array[]): DecodedCertificate[] {
  return ders.map((d) => decodeCertificate(d)).filter((d): d is DecodedCertificate => !isCertificateDecodeError(d));
}

/**
 * The path from the leaf upwards through the certificates the peer sent (in any order), as far as issuers
 * are found. A self-signed certificate ends it.
 */
export function pathThroughPresented(chain: readonly DecodedCertificate[]): DecodedCertificate[] {
  const [leaf] = chain;
  if (!leaf) return [];
  const path = [leaf];
  let current = leaf;
  while (!isSelfSigned(current) && path.length <= chain.length) {
    const issuer = chain.find((c) => !path.includes(c) && isIssuedBy(current, c));
    if (!issuer) break;
    path.push(issuer);
    current = issuer;
  }
  return path;
}

/** The first certificate among candidates that issued `cert` (by name and key identifiers). */
export function findIssuer(cert: DecodedCertificate, candidates: readonly DecodedCertificate[]): DecodedCertificate | null {
  return candidates.find((c) => c !== cert && isIssuedBy(cert, c)) ?? null;
}

/** Acceptable CA names (DER) matched against a certificate's issuer or subject, RFC 5280 §7.1. */
export function acceptedBy(cert: DecodedCertificate, names: readonly Uint8Array[]): 'issuer' | 'subject' | null {
  if (names.some((n) => namesMatch(n, cert.issuerDer))) return 'issuer';
  if (names.some((n) => namesMatch(n, cert.subjectDer))) return 'subject';
  return null;
}

export function caNameStrings(names: readonly Uint8Array[]): string[] {
  return names.map((der) => parseDistinguishedName(der).rfc4514);
}

/** Capture time (seconds) of the frame that completed a side's message, for validity checks. */
export function messageTime(connection: TlsConnection, side: Side, type: 'Certificate'): number | null {
  return findMessage(connection, side, type)?.time ?? null;
}

/** The first application data a side sent, when it was decrypted and reads as HTTP/1. */
export function httpFirstLineOf(connection: TlsConnection, side: Side): ApplicationDataEvent | null {
  for (const e of connection.events) {
    if (e.kind === 'application-data' && e.side === side && e.firstLine) return e;
  }
  return null;
}

/** First application-data event a side sent (decrypted or not). */
export function firstApplicationData(connection: TlsConnection, side: Side): ApplicationDataEvent | null {
  for (const e of connection.events) if (e.kind === 'application-data' && e.side === side) return e;
  return null;
}

/** How the server showed that it rejected the client's certificate, in words and frames. */
export interface Aftermath {
  text: string;
  frames: number[];
  alertFrame?: number;
  httpStatusLine?: string;
}

/**
 * What followed the client's Certificate: the server's fatal alert (OpenSSL, Java, Node without a CA
 * match), a completed handshake with a refusal inside (nginx's HTTP 400, PostgreSQL's AlertLevel.fatal), or a bare TCP
 * close (Node, slapd) — worded for the protocol the connection carries.
 */
export function serverReaction({ connection, facts }: RuleInput, afterFrame: number, page: RefusalPage = 'The SSL certificate error'): Aftermath {
  const handshakeStood = facts.outcome === 'established';
  // After a completed handshake an unreadable encrypted alert is most likely close_notify: not a rejection.
  const alert = facts.alerts.find((a) => a.side === 'server' && a.frame >= afterFrame && (a.level === AlertLevel.fatal || (a.level === null && !handshakeStood)));
  if (alert) {
    const code = alert.code !== null ? ` (${alert.code})` : '';
    return { text: `The server then ended the handshake with ${alertLabel(alert)}${code} in frame ${alert.frame}.`, frames: [alert.frame], alertFrame: alert.frame };
  }
  if (handshakeStood) {
    const http = facts.httpStatus;
    if (http) {
      return {
        text: `The handshake completed and the server answered "${http.line}" in frame ${http.frame}${nginxStatusWords(http.code, page)}.`,
        frames: [http.frame],
        httpStatusLine: http.line,
      };
    }
    const data = firstApplicationData(connection, 'server');
    if (data) return { text: `The handshake completed (no alert); ${refusalInsideStream(facts.carried, page, data.frame)}`, frames: [data.frame] };
    return { text: 'The handshake completed with no alert.', frames: [] };
  }
  const ending = facts.ending;
  if (ending !== null && ending.side === 'server' && ending.close !== null) {
    return {
      text: `The server closed the TCP connection (${ending.close.toUpperCase()}, frame ${ending.frame}) without sending any alert — ${closeWithoutAlert(facts.carried)}`,
      frames: [ending.frame],
    };
  }
  return { text: '', frames: [] };
}

/** An alert for people: its name, or "an encrypted alert" when it was not decrypted. */
export function alertLabel(alert: AlertFact): string {
  return alert.code === null ? 'an encrypted alert' : alertDescriptionName(alert.code);
}

/** Whether a key usage list allows the signature a TLS client or server makes with its key. */
export function allowsSignature(keyUsage: readonly string[] | null): boolean {
  return keyUsage === null || keyUsage.includes('digitalSignature');
}

export function uniqueFrames(frames: readonly number[]): number[] {
  return [...new Set(frames)].sort((a, b) => a - b);
}

/** Human duration for clock-skew explanations. */
export function describeDuration(ms: number): string {
  const abs = Math.abs(ms);
  const minutes = Math.round(abs / 60_000);
  if (minutes < 90) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(abs / 3_600_000);
  if (hours < 48) return `${hours} hours`;
  const days = Math.round(abs / 86_400_000);
  if (days < 730) return `${days} days`;
  return `${Math.round(days / 365)} years`;
}
