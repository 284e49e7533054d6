import type { ConnectionFacts } from '../facts/types.js';
import { ja3, ja3s } from '../fingerprint/ja3.js';
import { ja4 } from '../fingerprint/ja4.js';
import type { Endpoint } from '../tcp/types.js';
import type { TlsConnection } from '../tls/connection.js';
import type { HandshakeEvent } from '../tls/events.js';
import type { Certificate, CertificateRequest } from '../tls/handshake/types.js';
import { CLIENT_CERTIFICATE_TYPE_NAMES } from '../tls/registry/certificate-types.js';
import { isTls13, protocolVersionName } from '../tls/registry/protocol-versions.js';
import { signatureSchemeName } from '../tls/registry/signature-schemes.js';
import { isGrease } from '../tls/registry/grease.js';
import { decodeCertificate, sha1Hex } from '../x509/index.js';
import { toHex } from '../util/bytes.js';
import { parseDistinguishedName } from '../x509/names.js';
import type { CertificateFields, DecodedCertificate } from '../x509/types.js';
import { alertLevelName, alertName, describeEvent, eventKind } from './describe.js';
import { historyOf } from './history.js';
import type { AlertSummary, CertificateSummary, ConnectionReport, Side } from './types.js';

/** Seconds since the epoch as ISO 8601 with microseconds. */
let lastIsoSecond = NaN;
let lastIsoBase = '';

export function isoTime(seconds: number): string {
  const whole = Math.floor(seconds);
  const micros = Math.round((seconds - whole) * 1e6);
  const carry = micros === 1_000_000 ? 1 : 0;
  const second = whole + carry;
  // A capture's time stamps fall in few distinct seconds: Date#toISOString per stamp was 3-4 % of the pipeline.
  if (second !== lastIsoSecond) {
    const date = new Date(second * 1000);
    // A pcapng timestamp is a 64-bit count: a hostile one lies beyond what Date (and ISO 8601) can hold.
    if (Number.isNaN(date.getTime())) return `out-of-range(${seconds} s)`;
    lastIsoSecond = second;
    lastIsoBase = date.toISOString().slice(0, 19);
  }
  return `${lastIsoBase}.${String(carry ? 0 : micros).padStart(6, '0')}Z`;
}

export function endpoints(conn: TlsConnection): { client: Endpoint; server: Endpoint } {
  const { initiator, responder } = conn.tcp;
  return conn.clientDirection === 0 ? { client: initiator, server: responder } : { client: responder, server: initiator };
}

export function handshakeEvents(conn: TlsConnection): HandshakeEvent[] {
  return conn.events.filter((e): e is HandshakeEvent => e.kind === 'handshake');
}

/** The first message of a type from a side, with its event. */
export function findMessage<T extends HandshakeEvent['message']['type']>(
  conn: TlsConnection,
  side: Side,
  type: T,
): (HandshakeEvent & { message: Extract<HandshakeEvent['message'], { type: T }> }) | null {
  for (const event of conn.events) {
    if (event.kind === 'handshake' && event.side === side && event.message.type === type) {
      return event as HandshakeEvent & { message: Extract<HandshakeEvent['message'], { type: T }> };
    }
  }
  return null;
}

/**
 * One report object per decoded certificate, shared by every connection that presents it (the decoder caches
 * the decoding by the certificate's bytes): a server's chain is made once, not once per handshake, and a
 * worker thread's batch of connections clones it once (structured cloning keeps shared objects shared).
 * Frozen, so no reader can change another connection's certificate.
 */
const summaries = new WeakMap<DecodedCertificate, CertificateSummary>();

export function summarizeCertificates(message: Certificate): CertificateSummary[] {
  return message.certificates.map((entry) => {
    const decoded = decodeCertificate(entry.data);
    if (decoded.kind !== 'certificate') return undecodableSummary(decoded.message, decoded.sha256, sha1Hex(entry.data));
    let summary = summaries.get(decoded);
    if (summary === undefined) {
      summary = Object.freeze(certificateSummary(decoded.summary));
      summaries.set(decoded, summary);
    }
    return summary;
  });
}

/** The report's certificate (docs/output.md) from the decoder's fields, in the report's key order. */
function certificateSummary(fields: CertificateFields): CertificateSummary {
  return {
    subject: fields.subject,
    issuer: fields.issuer,
    serialNumber: fields.serialNumber,
    notBefore: fields.notBefore,
    notAfter: fields.notAfter,
    version: fields.version,
    selfSigned: fields.selfSigned,
    publicKey: fields.publicKey,
    signatureAlgorithm: fields.signatureAlgorithm,
    subjectAltNames: fields.subjectAltNames,
    basicConstraints: fields.basicConstraints,
    keyUsage: fields.keyUsage,
    extendedKeyUsage: fields.extendedKeyUsage,
    subjectKeyIdentifier: fields.subjectKeyIdentifier,
    authorityKeyIdentifier: fields.authorityKeyIdentifier,
    aiaCaIssuers: fields.aiaCaIssuers,
    aiaOcsp: fields.aiaOcsp,
    crlDistributionPoints: fields.crlDistributionPoints,
    sha256: fields.sha256,
    sha1: fields.sha1,
  };
}

function undecodableSummary(message: string, sha256: string, sha1: string): CertificateSummary {
  return {
    subject: `(undecodable certificate: ${message})`,
    issuer: '',
    serialNumber: '',
    notBefore: '',
    notAfter: '',
    version: 0,
    selfSigned: false,
    publicKey: { algorithm: 'unknown', size: null, curve: null },
    signatureAlgorithm: 'unknown',
    subjectAltNames: [],
    basicConstraints: null,
    keyUsage: null,
    extendedKeyUsage: null,
    subjectKeyIdentifier: null,
    authorityKeyIdentifier: null,
    aiaCaIssuers: [],
    aiaOcsp: [],
    crlDistributionPoints: [],
    sha256,
    sha1,
  };
}

function certificateRequestSummary(event: HandshakeEvent & { message: CertificateRequest }): ConnectionReport['certificateRequest'] {
  const m = event.message;
  return {
    frame: event.frame,
    certificateAuthorities: m.certificateAuthorities.map((der) => parseDistinguishedName(der).rfc4514),
    certificateTypes: m.certificateTypes.map((t) => CLIENT_CERTIFICATE_TYPE_NAMES[t] ?? `unknown_${t}`),
    signatureAlgorithms: m.signatureAlgorithms.map(signatureSchemeName),
    encrypted: event.decrypted,
  };
}

function alertSummaries(conn: TlsConnection): AlertSummary[] {
  const alerts: AlertSummary[] = [];
  for (const e of conn.events) {
    if (e.kind === 'alert') {
      alerts.push({
        frame: e.frame,
        time: isoTime(e.time),
        from: e.side,
        level: alertLevelName(e.level),
        description: alertName(e.description),
        code: e.description,
        encrypted: e.decrypted,
      });
    } else if (e.kind === 'encrypted-alert') {
      alerts.push({ frame: e.frame, time: isoTime(e.time), from: e.side, level: null, description: null, code: null, encrypted: true });
    }
  }
  return alerts;
}

/**
 * An abbreviated handshake: TLS 1.2 and older, the server went from its ServerHello to its Finished without a
 * ServerHelloDone (a session id or ticket resumed); TLS 1.3, the server accepted a pre-shared key (resumption
 * or an external PSK).
 */
function isResumed(conn: TlsConnection): boolean {
  const hello = conn.serverHello;
  if (hello === null || hello.type !== 'ServerHello') return false;
  if (isTls13(hello.effectiveVersion)) return hello.preSharedKeyIdentity !== undefined;
  let sawServerHello = false;
  for (const e of conn.events) {
    if (e.side !== 'server') continue;
    if (e.kind === 'handshake' && e.message.type === 'ServerHello') sawServerHello = true;
    else if (!sawServerHello) continue;
    else if (e.kind === 'handshake' && (e.message.type === 'ServerHelloDone' || e.message.type === 'Certificate')) return false;
    else if (e.kind === 'change-cipher-spec' || (e.kind === 'handshake' && e.message.type === 'Finished')) return true;
  }
  return false;
}

/** Builds the report of one connection from its facts (findings, and a refusal's outcome, come from the rules). */
export function buildReport(conn: TlsConnection, facts: ConnectionFacts, index: number, file: string): ConnectionReport {
  const { client, server } = endpoints(conn);
  const hello = conn.clientHello;
  const serverHello = conn.serverHello?.type === 'ServerHello' ? conn.serverHello : null;
  const certificateRequest = findMessage(conn, 'server', 'CertificateRequest');
  const clientCertificate = findMessage(conn, 'client', 'Certificate');
  const serverCertificate = findMessage(conn, 'server', 'Certificate');
  const encryptedExtensions = findMessage(conn, 'server', 'EncryptedExtensions');
  const fingerprint = hello ? ja4(hello, 't', { alpnRule: 'reference' }) : null;
  const encryptedHandshake = conn.events.some(
    (e) => (e.kind === 'encrypted-record' && !e.probableFinished) || (e.kind === 'encrypted-alert' && e.shownBy === 'size'),
  );
  return {
    index,
    file,
    client,
    server,
    firstFrame: conn.tcp.firstFrame,
    lastFrame: conn.tcp.lastFrame,
    startTime: isoTime(conn.tcp.firstTime),
    endTime: isoTime(conn.tcp.lastTime),
    sni: hello?.serverNames?.[0] ?? null,
    upgradedFrom: conn.upgradedFrom,
    upgradeRefused: conn.upgradeRefused && { command: conn.upgradeRefused.command, reply: conn.upgradeRefused.reply, frame: conn.upgradeRefused.frame },
    version: serverHello ? protocolVersionName(serverHello.effectiveVersion) : null,
    offeredVersions: hello ? (hello.supportedVersions ?? [hello.legacyVersion]).filter((v) => !isGrease(v)).map(protocolVersionName) : [],
    cipherSuite: serverHello ? serverHello.cipherSuiteName : null,
    alpn: serverHello?.alpn ?? encryptedExtensions?.message.alpn ?? null,
    offeredAlpn: hello?.alpnProtocols ?? [],
    outcome: facts.outcome,
    outcomeDetail: facts.outcomeDetail,
    carriedProtocol: facts.carried.name,
    nonTls: conn.nonTls && { side: conn.nonTls.side, frame: conn.nonTls.frame, firstLine: conn.nonTls.firstLine },
    established: facts.outcome === 'established',
    encryptedHandshake,
    decrypted: conn.keysFound && conn.keyMismatch === null,
    decryptedWith: conn.keysFound && conn.keyMismatch === null ? conn.keysFrom : null,
    certificateRequest: certificateRequest ? certificateRequestSummary(certificateRequest) : null,
    clientCertificates: clientCertificate ? summarizeCertificates(clientCertificate.message) : null,
    serverCertificates: serverCertificate ? summarizeCertificates(serverCertificate.message) : null,
    clientCertificateFrame: clientCertificate?.frame ?? null,
    serverCertificateFrame: serverCertificate?.frame ?? null,
    ocspStapled: findMessage(conn, 'server', 'CertificateStatus') !== null,
    revocation: [],
    serverChainStatus: null,
    alerts: alertSummaries(conn),
    // Schema 1 spells the one close in three fields.
    closedBy: facts.close?.by ?? null,
    closeKind: facts.close?.kind ?? null,
    closeFrame: facts.close?.frame ?? null,
    applicationBytes: { ...conn.applicationBytes },
    history: historyOf(conn.events),
    ja4: fingerprint?.ja4 ?? null,
    ja4_r: fingerprint?.ja4_r ?? null,
    ja4_o: fingerprint?.ja4_o ?? null,
    ja4_ro: fingerprint?.ja4_ro ?? null,
    ja3: hello ? ja3(hello).ja3 : null,
    ja3s: serverHello ? ja3s(serverHello).ja3s : null,
    ja3_r: hello ? ja3(hello).ja3_string : null,
    ja3s_r: serverHello ? ja3s(serverHello).ja3s_string : null,
    clientRandom: hello && hello.random.length > 0 ? toHex(hello.random) : null,
    sessionId: serverHello && serverHello.sessionId.length > 0 ? toHex(serverHello.sessionId) : null,
    resumed: isResumed(conn),
    serverExtensions: serverHello ? serverHello.extensions.map((e) => e.name) : [],
    clientLegacyVersion: hello ? protocolVersionName(hello.legacyVersion) : null,
    timeline: conn.events.map((e) => ({
      frame: e.frame,
      time: isoTime(e.time),
      from: e.side,
      kind: eventKind(e),
      summary: describeEvent(e),
      encrypted: ((e.kind === 'handshake' || e.kind === 'alert') && e.decrypted) || e.kind === 'encrypted-record' || e.kind === 'encrypted-alert',
    })),
    captureProblems: conn.gaps.map(
      (g) => `frame ${g.frame}: ${g.missing} ${g.side} bytes missing${g.inHandshake ? ' inside the handshake' : ''}`,
    ),
    findings: [],
  };
}
