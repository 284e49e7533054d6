/**
 * The connection model: what tlsdiag knows about one TLS connection, in the shape of the JSON output
 * (docs/output.md). Everything here is plain data, serialisable as it is.
 */
import type { Outcome } from '../facts/types.js';
import type { FindingId } from '../rules/catalog.js';
import type { Endpoint } from '../tcp/types.js';

export type Side = 'client' | 'server';
export type Severity = 'error' | 'warning' | 'info';

export interface CertificateSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  version: number;
  selfSigned: boolean;
  publicKey: { algorithm: string; size: number | null; curve: string | null };
  signatureAlgorithm: string;
  subjectAltNames: string[];
  basicConstraints: { ca: boolean; pathLength: number | null } | null;
  keyUsage: string[] | null;
  extendedKeyUsage: string[] | null;
  subjectKeyIdentifier: string | null;
  authorityKeyIdentifier: string | null;
  aiaCaIssuers: string[];
  aiaOcsp: string[];
  crlDistributionPoints: string[];
  sha256: string;
}

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

export interface TimelineEvent {
  frame: number;
  time: string;
  from: Side;
  /** 'ClientHello', 'Certificate', 'Alert', 'ChangeCipherSpec', 'ApplicationData', 'EncryptedHandshake', … */
  kind: string;
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
  /** One side did not speak TLS: which side, the frame and the first printable line of its bytes. */
  nonTls: { side: Side; frame: number; firstLine: string | null } | null;
  /** Derived from outcome: true only when it is `established` (the handshake completed, nobody refused). */
  established: boolean;
  /** True once the handshake is encrypted and no key log opened it. */
  encryptedHandshake: boolean;
  decrypted: boolean;
  certificateRequest: CertificateRequestSummary | null;
  /** null: no Certificate message from the client; []: an empty one. */
  clientCertificates: CertificateSummary[] | null;
  serverCertificates: CertificateSummary[] | null;
  clientCertificateFrame: number | null;
  serverCertificateFrame: number | null;
  ocspStapled: boolean;
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
