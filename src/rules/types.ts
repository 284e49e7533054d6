import type { ConnectionReport, Finding, Severity } from '../model/types.js';
import type { TlsConnection } from '../tls/connection.js';

/** What the user told tlsdiag about the peers, beyond the capture. */
export interface RuleContext {
  /** The server's client-CA bundle (--ca), DER. */
  clientAnchors: Uint8Array[];
  /** What the client trusts (--server-ca), DER. */
  serverAnchors: Uint8Array[];
  /** Client certificates the capture did not carry (--cert), DER. */
  extraClientCertificates: Uint8Array[];
  /** nginx ssl_verify_depth / OpenSSL verify depth (--verify-depth). */
  verifyDepth: number | undefined;
  /** Whether any key log was given (to tell "no keys" from "keys that do not match"). */
  keyLogGiven: boolean;
  /** Whether a server private key (--key) was given: (EC)DHE sessions then say it cannot open them. */
  privateKeyGiven?: boolean;
}

/** A rule sees the raw connection (messages, DER) and its report (decoded summaries). */
export interface RuleInput {
  connection: TlsConnection;
  report: ConnectionReport;
}

/** A finding as a rule states it; severity and title come from the catalog entry of its id. */
export interface FindingDraft {
  id: string;
  explanation: string;
  evidence: Finding['evidence'];
  remedy?: string;
  explainsAlertFrame?: number;
}

export interface Rule {
  /** The finding ids this rule may produce (each in the catalog). */
  readonly produces: readonly string[];
  run(input: RuleInput, context: RuleContext): FindingDraft[] | Promise<FindingDraft[]>;
}

/** One entry of docs/findings.md. */
export interface CatalogEntry {
  id: string;
  severity: Severity;
  title: string;
  /** What the finding means, for the catalog. */
  meaning: string;
  /** What evidence it cites. */
  evidence: string;
  /** The default remedy; a rule may give a more precise one. */
  remedy: string;
}
