import { AlertLevel } from '../tls/registry/alerts.js';
/**
 * The facts stage: what happened on one connection, computed once from its parsed events, for the rules
 * (src/rules) and the report (src/model). Numbers and closed sets only; no display strings.
 */
import type { Side } from '../tls/side.js';
import type { TlsConnection } from '../tls/connection.js';
import type { HandshakeEvent, TlsEvent } from '../tls/events.js';
import type { Certificate } from '../tls/handshake/types.js';
import { TLS_1_3 } from '../tls/registry/protocol-versions.js';
import { decodeCertificate, isCertificateDecodeError } from '../x509/index.js';
import type { DecodedCertificate } from '../x509/types.js';
import { httpStatusCode } from '../tls/preamble.js';
import { carriedProtocol } from './carried.js';
import type { AlertFact, ClientCertificateFacts, ConnectionClose, ConnectionFacts, Ending, Outcome } from './types.js';

export type * from './types.js';
export { OUTCOMES } from './types.js';

const CLOSE_NOTIFY = 0;

export function connectionFacts(conn: TlsConnection): ConnectionFacts {
  const events = conn.events;
  const tls13 = conn.version === TLS_1_3;
  const alerts = alertFacts(events);
  const completion = handshakeCompletion(conn);
  const fatalAlert = alerts.find((a) => a.level === AlertLevel.fatal || (a.level === null && !completion.completed)) ?? null;
  const ending = endingOf(conn, alerts);
  const certificateMessages = { server: firstCertificate(events, 'server'), client: firstCertificate(events, 'client') };
  const { outcome, detail, refusal } = outcomeOf(conn, completion, alerts, fatalAlert, ending);
  return {
    outcome,
    outcomeDetail: detail,
    version: conn.version,
    cipherSuite: conn.cipherSuite,
    tls13,
    handshakeCompleted: completion.completed,
    alerts,
    fatalAlert,
    ending,
    close: firstCloseOf(conn),
    refusalShape: refusal,
    clientCertificate: clientCertificateFacts(conn, certificateMessages.client),
    serverChain: certificateMessages.server ? decodedCertificates(certificateMessages.server.message) : null,
    clientChain: certificateMessages.client ? decodedCertificates(certificateMessages.client.message) : null,
    carried: carriedProtocol(conn, serverPortOf(conn), negotiatedAlpn(conn)),
    httpStatus: httpStatusOf(events),
  };
}

function serverPortOf(conn: TlsConnection): number {
  return conn.clientDirection === 0 ? conn.tcp.responder.port : conn.tcp.initiator.port;
}

function negotiatedAlpn(conn: TlsConnection): string | null {
  if (conn.serverHello?.type === 'ServerHello' && conn.serverHello.alpn) return conn.serverHello.alpn;
  for (const e of conn.events) {
    if (e.kind === 'handshake' && e.message.type === 'EncryptedExtensions' && e.message.alpn) return e.message.alpn;
  }
  return null;
}

/** The decodable certificates of a Certificate message, in the order sent (undecodable ones left out). */
export function decodedCertificates(message: Certificate): DecodedCertificate[] {
  // Facts and some ten rules ask for the same chain of a connection: one decode per message.
  const known = decodedByMessage.get(message);
  if (known) return known;
  const out: DecodedCertificate[] = [];
  for (const entry of message.certificates) {
    const decoded = decodeCertificate(entry.data);
    if (!isCertificateDecodeError(decoded)) out.push(decoded);
  }
  decodedByMessage.set(message, out);
  return out;
}

/** Weak: the entry goes with the connection's parsed messages. */
const decodedByMessage = new WeakMap<Certificate, DecodedCertificate[]>();

function firstCertificate(events: readonly TlsEvent[], side: Side): (HandshakeEvent & { message: Certificate }) | null {
  for (const e of events) {
    if (e.kind === 'handshake' && e.side === side && e.message.type === 'Certificate') return e as HandshakeEvent & { message: Certificate };
  }
  return null;
}

function alertFacts(events: readonly TlsEvent[]): AlertFact[] {
  const out: AlertFact[] = [];
  for (const e of events) {
    if (e.kind === 'alert') out.push({ side: e.side, frame: e.frame, level: e.level, code: e.description, encrypted: e.decrypted });
    else if (e.kind === 'encrypted-alert') out.push({ side: e.side, frame: e.frame, level: null, code: null, encrypted: true });
  }
  return out;
}

interface Completion {
  completed: boolean;
  /** TLS 1.3: the server refused the client's flight (alert or close right after the client's Finished). */
  refusedClientFlight: { frame: number } | null;
  /** Frame of the client's Finished (or its encrypted flight), -1 when not seen. */
  clientFlightFrame: number;
}

/**
 * Whether the handshake completed: both Finished messages with no fatal alert before the last; for TLS 1.3
 * without keys, the client's encrypted flight answered by a server record larger than an alert; and, when the
 * Finished messages cannot be seen (drafts, experiments, a variant tlsdiag does not parse), application data
 * flowing both ways.
 */
function handshakeCompletion(conn: TlsConnection): Completion {
  const events = conn.events;
  let clientFinished = -1;
  let serverFinished = -1;
  let fatalAlert = -1;
  events.forEach((e, i) => {
    const finished = (e.kind === 'handshake' && e.message.type === 'Finished') || (e.kind === 'encrypted-record' && e.probableFinished);
    if (finished && e.side === 'client' && clientFinished < 0) clientFinished = i;
    if (finished && e.side === 'server' && serverFinished < 0) serverFinished = i;
    if (e.kind === 'alert' && e.level === AlertLevel.fatal && fatalAlert < 0) fatalAlert = i;
  });
  const tls13 = conn.version === TLS_1_3;
  if (clientFinished >= 0 && serverFinished >= 0) {
    const frame = events[clientFinished]!.frame;
    if (fatalAlert >= 0 && fatalAlert < Math.max(clientFinished, serverFinished)) return { completed: false, refusedClientFlight: null, clientFlightFrame: frame };
    const refused = tls13 ? serverRefusedClientFlight(events, clientFinished) : null;
    return { completed: true, refusedClientFlight: refused, clientFlightFrame: frame };
  }
  if (tls13 && fatalAlert < 0) {
    const clientFlight = events.findIndex((e) => e.side === 'client' && isOpaqueNonAlert(e));
    if (clientFlight >= 0) {
      const frame = events[clientFlight]!.frame;
      const answered = events.some((e, i) => i > clientFlight && e.side === 'server' && (isOpaqueNonAlert(e) || e.kind === 'application-data'));
      if (answered) return { completed: true, refusedClientFlight: null, clientFlightFrame: frame };
      const refused = serverRefusedClientFlight(events, clientFlight);
      if (refused) return { completed: true, refusedClientFlight: refused, clientFlightFrame: frame };
    }
  }
  // Application data both ways proves a handshake whose Finished messages could not be read.
  const client = events.find((e) => e.kind === 'application-data' && e.side === 'client' && !e.early);
  const server = events.find((e) => e.kind === 'application-data' && e.side === 'server' && !e.early);
  if (client && server && fatalAlert < 0) return { completed: true, refusedClientFlight: null, clientFlightFrame: client.frame };
  return { completed: false, refusedClientFlight: null, clientFlightFrame: clientFinished >= 0 ? events[clientFinished]!.frame : -1 };
}

/**
 * TLS 1.3 puts the client's Certificate and Finished in one flight after the server's Finished, so a server that
 * rejects the client certificate (certificate_required, unknown_ca, …) does so after both Finished messages.
 * A fatal server alert, or the server closing, before it sent anything else after the client's flight is
 * that rejection.
 */
function serverRefusedClientFlight(events: readonly TlsEvent[], clientFlight: number): { frame: number } | null {
  for (let i = clientFlight + 1; i < events.length; i++) {
    const e = events[i]!;
    if (e.side !== 'server') continue;
    if (e.kind === 'alert') return e.level === AlertLevel.fatal ? { frame: e.frame } : null;
    // Closing without a word (no ticket, no data, no alert) after the client's flight: slapd with
    // TLSVerifyClient demand does this to a client that sent no certificate.
    if (e.kind === 'close') return { frame: e.frame };
    // A TLS 1.0-1.2 alert the record type shows, unread: not the rejection this looks for.
    if (e.kind === 'encrypted-alert' && e.shownBy === 'content-type') return null;
    if (e.kind === 'encrypted-alert') {
      // An alert-sized record followed by the server's close, with nothing else: the rejection's alert.
      const next = events.slice(i + 1).find((n) => n.side === 'server');
      if (next === undefined || next.kind === 'close') return { frame: e.frame };
      continue;
    }
    if (e.kind === 'handshake' || e.kind === 'application-data' || e.kind === 'encrypted-record') return null;
  }
  return null;
}

function isOpaqueNonAlert(e: TlsEvent): boolean {
  return e.kind === 'encrypted-record';
}

/** A side sent application data (or, TLS 1.3 without keys, a record larger than an alert) after a frame. */
function sentData(conn: TlsConnection, side: Side, afterFrame: number): boolean {
  if (conn.applicationBytes[side] > 0 && conn.version !== TLS_1_3) return true;
  return conn.events.some(
    (e) => e.side === side && e.frame > afterFrame && ((e.kind === 'application-data' && !e.early) || (e.kind === 'encrypted-record' && !e.probableFinished)),
  ) || (conn.version === TLS_1_3 && conn.applicationRecords[side] > 0);
}

/** The first way a side left the connection: a fatal alert, a close_notify, or a TCP FIN/RST. */
function endingOf(conn: TlsConnection, alerts: readonly AlertFact[]): Ending | null {
  const alert = alerts.find((a) => a.level === AlertLevel.fatal || a.code === CLOSE_NOTIFY);
  const close = conn.events.find((e) => e.kind === 'close');
  if (alert && (!close || alert.frame <= close.frame)) {
    return { side: alert.side, frame: alert.frame, alert: alert.level === AlertLevel.fatal ? alert : null, close: null };
  }
  if (close && close.kind === 'close') return { side: close.side, frame: close.frame, alert: null, close: close.closeKind };
  return null;
}

function firstCloseOf(conn: TlsConnection): ConnectionClose | null {
  const close = conn.tcp.firstClose;
  if (close === null) return null;
  return { by: close.direction === conn.clientDirection ? 'client' : 'server', kind: close.kind, frame: close.frame };
}

function outcomeOf(
  conn: TlsConnection,
  completion: Completion,
  alerts: readonly AlertFact[],
  fatalAlert: AlertFact | null,
  ending: Ending | null,
): { outcome: Outcome; detail: string | null; refusal: ConnectionFacts['refusalShape'] } {
  const none = { detail: null, refusal: null };
  if (conn.upgradeRefused !== null) return { outcome: 'upgrade-refused', ...none };
  if (conn.nonTls !== null) return { outcome: 'not-tls', ...none };
  if (conn.notUnderstood !== null) return { outcome: 'not-understood', detail: conn.notUnderstood, refusal: null };
  if (completion.completed) {
    if (completion.refusedClientFlight) return { outcome: 'rejected', detail: null, refusal: { by: 'server', frame: completion.refusedClientFlight.frame } };
    // A fatal alert after the handshake, before data flowed both ways: that side refused the other.
    const lateFatal = alerts.find((a) => a.level === AlertLevel.fatal);
    if (lateFatal && !dataBefore(conn, lateFatal.frame)) return { outcome: 'rejected', detail: null, refusal: { by: lateFatal.side, frame: lateFatal.frame } };
    return { outcome: 'established', detail: null, refusal: refusalShape(conn, ending, completion.clientFlightFrame) };
  }
  if (fatalAlert) return { outcome: 'failed', ...none };
  const lost = conn.gaps.find((g) => g.inHandshake);
  if (lost) return { outcome: 'incomplete', detail: `the capture lost ${lost.missing} ${lost.side} bytes inside the handshake (frame ${lost.frame})`, refusal: null };
  if (conn.clientHello === null) return { outcome: 'incomplete', detail: 'the capture starts after the ClientHello', refusal: null };
  if (ending) return { outcome: 'failed', ...none };
  return { outcome: 'incomplete', detail: 'the capture ends before the handshake completed or the connection closed', refusal: null };
}

/** Application data went both ways before a frame. */
function dataBefore(conn: TlsConnection, frame: number): boolean {
  const from = (side: Side) => conn.events.some((e) => e.side === side && e.frame < frame && e.kind === 'application-data' && !e.early);
  return from('client') && from('server');
}

/**
 * The wire's shape of a refusal after a completed handshake: the server answered once (or not at all) and
 * closed before the client did — nginx after a rejected client certificate, PostgreSQL's AlertLevel.fatal; or the
 * client hung up without sending any data — curl after a name mismatch or a revoked stapled OCSP response.
 */
function refusalShape(conn: TlsConnection, ending: Ending | null, clientFlightFrame: number): ConnectionFacts['refusalShape'] {
  if (ending === null) return null;
  if (ending.side === 'server' && conn.applicationTurns <= 2) return { by: 'server', frame: ending.frame };
  if (ending.side === 'client' && !sentData(conn, 'client', clientFlightFrame)) return { by: 'client', frame: ending.frame };
  return null;
}

function clientCertificateFacts(conn: TlsConnection, certificate: (HandshakeEvent & { message: Certificate }) | null): ClientCertificateFacts {
  const request = conn.events.find((e): e is HandshakeEvent => e.kind === 'handshake' && e.side === 'server' && e.message.type === 'CertificateRequest');
  const requestFrame = request?.frame ?? null;
  if (certificate) return { requestFrame, answer: certificate.message.certificates.length === 0 ? 'empty' : 'chain', certificateFrame: certificate.frame };
  if (requestFrame === null) {
    // TLS 1.3 without keys hides the CertificateRequest: whether one was sent is not known.
    const hidden = conn.version === TLS_1_3 && conn.events.some(isUnreadTls13Record);
    return { requestFrame, answer: hidden ? 'unknown' : 'not-requested', certificateFrame: null };
  }
  const movedOn = conn.events.some((e) => e.kind === 'handshake' && e.side === 'client' && e.message.type === 'ClientKeyExchange');
  return { requestFrame, answer: movedOn ? 'no-message' : 'unknown', certificateFrame: null };
}

/** A record no key opened that TLS 1.3 hides the type of (an alert-sized one included). */
function isUnreadTls13Record(e: TlsEvent): boolean {
  return e.kind === 'encrypted-record' || (e.kind === 'encrypted-alert' && e.shownBy === 'size');
}

function httpStatusOf(events: readonly TlsEvent[]): ConnectionFacts['httpStatus'] {
  for (const e of events) {
    if (e.kind !== 'application-data' || e.side !== 'server' || e.firstLine === null) continue;
    const code = httpStatusCode(e.firstLine);
    if (code !== null) return { code, frame: e.frame, line: e.firstLine };
  }
  return null;
}
