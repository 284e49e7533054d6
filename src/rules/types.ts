import type { ConnectionFacts } from '../facts/types.js';
import type { ConnectionReport, Finding, Severity } from '../model/types.js';
import type { TlsConnection } from '../tls/connection.js';
import type { FindingId } from './catalog.js';
import type { RuleContext } from '../analysis-inputs.js';

/** Made once per run from the user's inputs, where they are resolved (src/analysis-inputs.ts). */
export type { RuleContext };

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
