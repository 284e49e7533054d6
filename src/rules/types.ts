import type { ConnectionFacts } from '../facts/types.js';
import type { ConnectionReport, Finding, Severity } from '../model/types.js';
import type { TlsConnection } from '../tls/connection.js';
import type { FindingId } from './catalog.js';
import type { DecodedCrl } from '../x509/crl.js';
import type { TrustStore } from '../x509/trust-store.js';

/** What the user told tlsdiag about the peers, beyond the capture. */
export interface RuleContext {
  /** The server's client-CA bundle (--ca), DER. */
  clientAnchors: Uint8Array[];
  /** What the client trusts (--server-ca files), DER; empty when judged against a default store. */
  serverAnchors: Uint8Array[];
  /**
   * The store server chains are judged against: Node's Mozilla roots when no --server-ca was given, the OS store
   * (--server-ca system), the files given; null or absent: no judging (--server-ca none).
   */
  serverTrust?: TrustStore | null;
  /** Client certificates the capture did not carry (--cert), DER. */
  extraClientCertificates: Uint8Array[];
  /** nginx ssl_verify_depth / OpenSSL verify depth (--verify-depth). */
  verifyDepth: number | undefined;
  /** Whether any key log was given (to tell "no keys" from "keys that do not match"). */
  keyLogGiven: boolean;
  /** The CRLs the server checks client certificates with (--crl: nginx ssl_crl); absent or empty: none. */
  clientCrls?: readonly DecodedCrl[];
  /** The CRLs the client checks the server's chain with (--server-crl); absent or empty: none. */
  serverCrls?: readonly DecodedCrl[];
  /** Whether a server private key (--key) was given: (EC)DHE sessions then say it cannot open them. */
  privateKeyGiven?: boolean;
}

/**
 * A rule reads the connection's facts (outcome, alerts by code, the client-certificate exchange, decoded chains,
 * the protocol carried) and its parsed messages; the report is there for its decoded summaries only — never
 * match its display strings.
 */
export interface RuleInput {
  connection: TlsConnection;
  facts: ConnectionFacts;
  report: ConnectionReport;
}

/** A finding as a rule states it; severity and title come from the catalog entry of its id. */
export interface FindingDraft {
  id: FindingId;
  /** Overrides the catalog's severity for this connection (e.g. an untrusted chain the client went on with). */
  severity?: Severity;
  /**
   * The finding's only evidence is the alert it explains (no trust material, no decoded proof): when another
   * finding explains that alert better, this one is dropped rather than kept as a second cause.
   */
  inferredFromAlert?: boolean;
  explanation: string;
  evidence: Finding['evidence'];
  remedy?: string;
  explainsAlertFrame?: number;
}

export interface Rule {
  /** The finding ids this rule may produce (each in the catalog). */
  readonly produces: readonly FindingId[];
  run(input: RuleInput, context: RuleContext): FindingDraft[] | Promise<FindingDraft[]>;
}

/** One entry of docs/findings.md. */
/** What a finding is about: how a root cause is matched to the alert or refusal it explains. */
export type FindingAbout =
  | 'client-certificate'
  | 'server-certificate'
  | 'certificate-strength'
  | 'negotiation'
  | 'capture'
  | 'keys'
  | 'plaintext'
  | 'upgrade'
  | 'narration'
  | 'unexplained';

export interface CatalogEntry {
  id: string;
  about: FindingAbout;
  severity: Severity;
  title: string;
  /** What the finding means, for the catalog. */
  meaning: string;
  /** What evidence it cites. */
  evidence: string;
  /** The default remedy; a rule may give a more precise one. */
  remedy: string;
}
