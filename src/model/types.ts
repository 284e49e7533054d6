/**
 * The connection model: what tlsdiag knows about one TLS connection, in the shape of the JSON output
 * (docs/output.md). Everything here is plain data, serialisable as it is.
 */
import type { Outcome } from '../facts/types.js';
import type { FindingId } from '../rules/catalog.js';
import type { Endpoint } from '../tcp/types.js';
import type { HandshakeMessage } from '../tls/handshake/types.js';
import type { Side } from '../tls/side.js';
import type { CertificateFields } from '../x509/types.js';

/** Made by the TLS stage (src/tls/side.ts); named here too for the library's consumers. */
export type { Side };
export type Severity = 'error' | 'warning' | 'info';

/**
 * A certificate in the report (docs/output.md): the fields x509 decodes (CertificateFields), copied in the
 * report's key order by src/model/report.ts; an undecodable certificate gets placeholders.
 */
export interface CertificateSummary extends CertificateFields {}

export interface CertificateRequestSummary {
  frame: number;
  /** RFC 4514 strings of the acceptable CA names, in the server's order. */
  certificateAuthorities: string[];
  /** TLS 1.2 ClientCertificateType names (rsa_sign, ecdsa_sign, …); empty for TLS 1.3. */
  certificateTypes: string[];
  signatureAlgorithms: string[];
  encrypted: boolean;
}

export interface AlertSummary {
  frame: number;
  time: string;
  from: Side;
  level: 'warning' | 'fatal' | null;
  description: string | null;
  code: number | null;
  encrypted: boolean;
}

export interface Evidence {
  frames: number[];
  /** Field name → value, e.g. { "certificates_length": 0 }. */
  fields: Record<string, string | number | boolean | string[] | null>;
}

export interface Finding {
  /** A catalog id (src/rules/catalog.ts, docs/findings.md): stable, kebab-case. */
  id: FindingId;
  severity: Severity;
  title: string;
  explanation: string;
  evidence: Evidence;
  remedy: string;
  /** Frame of the alert this finding explains, when there is one. */
  explainsAlertFrame?: number;
}

/** One revocation check of a certificate: what was checked, against what, as of when (docs/output.md). */
export interface RevocationCheck {
  /** Whose chain: the client's (checked by the server) or the server's (checked by the client). */
  side: Side;
  subject: string | null;
  serialNumber: string | null;
  /** 'crl': against the CRLs given with --crl / --server-crl; 'ocsp-stapled': the response the server stapled. */
  method: 'crl' | 'ocsp-stapled';
  /** The CRL (issuer and file) or the OCSP responder, in words. */
  against: string;
  /** Frame of the Certificate (or CertificateStatus) message, and the packet time the check was made as of. */
  frame: number;
  asOf: string;
  thisUpdate: string | null;
  nextUpdate: string | null;
  /**
   * good, revoked; CRL: crl-missing, crl-not-yet-valid, crl-expired, crl-signature-invalid (the first problem in
   * OpenSSL's order; revoked wins); stapled OCSP: unknown, stale (good but past its nextUpdate).
   */
  status: string;
  revocationTime: string | null;
  revocationReason: string | null;
}

/**
 * What a timeline entry shows: a handshake message by name (an encrypted TLS 1.0-1.2 Finished is told by its
 * place), or a record-level event: an alert (read or encrypted), a record no key opened, application data
 * (0-RTT or not), a capture gap, bytes that did not parse, a TCP close.
 */
export type TimelineKind =
  | HandshakeMessage['type']
  | 'Alert'
  | 'ChangeCipherSpec'
  | 'EncryptedRecord'
  | 'EarlyData'
  | 'ApplicationData'
  | 'CaptureGap'
  | 'ParseError'
  | 'FIN'
  | 'RST';

export interface TimelineEvent {
  frame: number;
  time: string;
  from: Side;
  kind: TimelineKind;
  /** A one-line description for people. */
  summary: string;
  encrypted: boolean;
}

export interface ConnectionReport {
  /** Index in the capture's connection order (0-based). */
  index: number;
  /** The capture file this connection came from. */
  file: string;
  client: Endpoint;
  server: Endpoint;
  firstFrame: number;
  lastFrame: number;
  startTime: string;
  endTime: string;
  sni: string | null;
  /**
   * The protocol whose plaintext preceded TLS on this connection: 'smtp', 'imap', 'pop3', 'ftp', 'ldap', 'xmpp',
   * 'postgres', 'mysql' (STARTTLS and the like), 'socks4', 'socks5', 'http-connect' (proxies), 'unknown'; null
   * for direct TLS.
   */
  upgradedFrom: string | null;
  /**
   * The client asked for TLS (STARTTLS, SSLRequest, …) and the server refused: its command, the server's
   * status line (only those two lines of the plaintext) and the frame of the refusal. TLS never started.
   */
  upgradeRefused: { command: string; reply: string; frame: number } | null;
  /** 'TLS 1.2', 'TLS 1.3', … or null when not negotiated. */
  version: string | null;
  offeredVersions: string[];
  cipherSuite: string | null;
  alpn: string | null;
  offeredAlpn: string[];
  /**
   * How the connection ended, judged once from the wire (and, for a refusal after a completed handshake, the
   * certificate check that failed): see Outcome and docs/output.md.
   */
  outcome: Outcome;
  /** Why the outcome is `incomplete` or `not-understood` (what is missing or what tlsdiag could not read); else null. */
  outcomeDetail: string | null;
  /** The application protocol carried (from the upgrade, ALPN, decrypted content or the server port), or null. */
  carriedProtocol: string | null;
  /**
   * One side did not speak TLS: 'server' answered the ClientHello with other bytes (TLS sent to a plaintext port),
   * 'client' sent other bytes to a server that speaks TLS (plain HTTP to an HTTPS port). The frame of its first
   * such bytes and their first printable line (at most 200 characters; nothing else of them is kept).
   */
  nonTls: { side: Side; frame: number; firstLine: string | null } | null;
  /** Derived from outcome: true only when it is `established` (the handshake completed, nobody refused). */
  established: boolean;
  /** True once the handshake is encrypted and no key log opened it. */
  encryptedHandshake: boolean;
  decrypted: boolean;
  /** What decrypted it: 'key-log' (--keylog or pcapng secrets), 'private-key' (--key), 'psk' (--psk); null when not decrypted. */
  decryptedWith: 'key-log' | 'private-key' | 'psk' | null;
  certificateRequest: CertificateRequestSummary | null;
  /** null: no Certificate message from the client; []: an empty one. */
  clientCertificates: CertificateSummary[] | null;
  serverCertificates: CertificateSummary[] | null;
  clientCertificateFrame: number | null;
  serverCertificateFrame: number | null;
  ocspStapled: boolean;
  /**
   * The server's chain judged against the client's trust store at the packet's time (Node's Mozilla roots
   * unless --server-ca says otherwise): 'ok', 'unable-to-get-issuer', 'self-signed', 'expired', 'not-yet-valid',
   * 'untrusted'; null when not judged (no chain visible, or --server-ca none). See docs/output.md.
   */
  /** Revocation checks made on this connection (CRLs given, stapled OCSP); empty when none. */
  revocation: RevocationCheck[];
  serverChainStatus: 'ok' | 'unable-to-get-issuer' | 'self-signed' | 'expired' | 'not-yet-valid' | 'untrusted' | null;
  alerts: AlertSummary[];
  closedBy: Side | null;
  closeKind: 'fin' | 'rst' | null;
  closeFrame: number | null;
  applicationBytes: { client: number; server: number };
  history: string;
  ja4: string | null;
  ja4_r: string | null;
  ja4_o: string | null;
  ja4_ro: string | null;
  ja3: string | null;
  ja3s: string | null;
  /** The JA3 string (before MD5): version,ciphers,extensions,groups,point formats. */
  ja3_r: string | null;
  /** The JA3S string: version,cipher,extensions. */
  ja3s_r: string | null;
  /** The ClientHello random, hex: what finds the connection's lines in an SSLKEYLOGFILE. */
  clientRandom: string | null;
  /** The ServerHello's session id, hex; null when empty or no ServerHello (TLS 1.3 echoes the client's). */
  sessionId: string | null;
  /** An abbreviated handshake (TLS 1.2-: session id or ticket) or a PSK handshake (TLS 1.3). */
  resumed: boolean;
  /** The ServerHello's extensions in wire order (IANA names). */
  serverExtensions: string[];
  /** The ClientHello's legacy_version ('TLS 1.2' for every TLS 1.3 client). */
  clientLegacyVersion: string | null;
  timeline: TimelineEvent[];
  /** Gaps and truncation seen in this connection's handshake. */
  captureProblems: string[];
  findings: Finding[];
}

export interface AnalysisWarning {
  file: string;
  code: string;
  message: string;
  offset?: number;
  frame?: number;
}

export interface AnalysisResult {
  schemaVersion: 1;
  files: Array<{ file: string; format: string | null; compressed: boolean; frames: number; error: string | null }>;
  warnings: AnalysisWarning[];
  connections: ConnectionReport[];
}

/** What a run knows besides its connections (known at its end, after a stream of them): files and warnings. */
export type AnalysisSummary = Omit<AnalysisResult, 'connections'>;
