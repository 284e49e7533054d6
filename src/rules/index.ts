import { connectionFacts } from '../facts/index.js';
import type { ConnectionFacts, Outcome } from '../facts/types.js';
import { buildReport } from '../model/report.js';
import { SEVERITY_RANK } from '../model/severity.js';
import type { ConnectionReport, Finding, Severity } from '../model/types.js';
import type { TlsConnection } from '../tls/connection.js';
import { catalogEntry } from './catalog.js';
import { CAPTURE_IDS, FALLBACK_RULE, NARRATION_IDS, NON_TLS_IDS, POST_HANDSHAKE_FALLBACK_RULE, RULES } from './registry.js';
import { revocationView } from './revocation-view.js';
import { pickRootCause } from './root-cause.js';
import { serverChainJudgement } from './server-trust.js';
import type { FindingDraft, RuleContext, RuleInput } from './types.js';

/** What the rules conclude about one connection: its findings, root cause first, and its settled outcome. */
export interface Verdict {
  findings: Finding[];
  outcome: Outcome;
}

/**
 * One connection through facts, report and rules: the report with its findings and outcome, or null when the
 * filter leaves it out.
 */
export async function diagnoseConnection(
  connection: TlsConnection,
  index: number,
  file: string,
  context: RuleContext,
  filter?: (report: ConnectionReport) => boolean,
): Promise<ConnectionReport | null> {
  const facts = connectionFacts(connection);
  const report = buildReport(connection, facts, index, file);
  if (filter && !filter(report)) return null;
  report.serverChainStatus = (await serverChainJudgement(connection, facts, context))?.status ?? null;
  report.revocation = await revocationView(connection, facts, context);
  const verdict = await runRules({ connection, facts, report }, context);
  report.findings = verdict.findings;
  report.outcome = verdict.outcome;
  report.established = verdict.outcome === 'established';
  return report;
}

/**
 * Runs every registered rule on one connection, then weighs what they found: the outcome of a completed
 * handshake becomes `rejected` when the wire shows a refusal and a certificate check failed; a healthy
 * connection carries at most warnings; one error is the root cause and the others say "also". Findings come
 * out root cause first: errors before warnings before info, and within a severity in the order the rules are
 * registered (most specific first).
 */
export async function runRules(input: RuleInput, context: RuleContext): Promise<Verdict> {
  const { facts } = input;
  const drafts: FindingDraft[] = [];
  // One side did not speak TLS: there is no handshake for the other rules to judge, only that.
  const rules = input.connection.nonTls === null ? RULES : RULES.filter((rule) => rule.produces.some((id) => NON_TLS_IDS.has(id)));
  for (const rule of rules) drafts.push(...(await rule.run(input, context)));
  let findings = drafts.map(complete);
  const outcome = settleOutcome(facts, findings);
  if (outcome === 'failed' || outcome === 'rejected') {
    // A cause is found when an error-level finding names it, or when a finding explains the fatal alert.
    const explained = findings.some((f) => !NARRATION_IDS.has(f.id) && (f.severity === 'error' || f.explainsAlertFrame !== undefined));
    const captureHidesIt = findings.some((f) => CAPTURE_IDS.has(f.id));
    if (!explained && !captureHidesIt) findings.push(...(await FALLBACK_RULE.run(input, context)).map(complete));
  }
  if (facts.handshakeCompleted && !findings.some((f) => f.severity === 'error')) {
    findings.push(...(await POST_HANDSHAKE_FALLBACK_RULE.run(input, context)).map(complete));
  }
  const settled = outcome === 'established' ? settleOutcome(facts, findings) : outcome;
  findings = weigh(settled, facts, findings, drafts);
  linkAlertsToCauses(findings);
  return {
    outcome: settled,
    findings: findings
      .map((finding, order) => ({ finding, order }))
      .sort((a, b) => SEVERITY_RANK[a.finding.severity] - SEVERITY_RANK[b.finding.severity] || a.order - b.order)
      .map((x) => x.finding),
  };
}

/** HTTP statuses a server (nginx, a proxy) gives a client certificate it refused after the handshake. */
const CERTIFICATE_REFUSAL_STATUS = new Set([400, 403, 495, 496]);

/**
 * A completed handshake followed by a refusal's shape (the server answered once and hung up; the client hung
 * up without sending data) is `rejected` when a check of the refused side's certificate failed; so is a
 * decrypted HTTP 400/403/495/496 after a client certificate exchange with such a failure.
 */
function settleOutcome(facts: ConnectionFacts, findings: readonly Finding[]): Outcome {
  if (facts.outcome !== 'established') return facts.outcome;
  const failedCheck = (about: string) => findings.some((f) => f.severity === 'error' && catalogEntry(f.id).about === about);
  const refusedBy = facts.refusalShape?.by;
  const httpRefusal = facts.httpStatus !== null && CERTIFICATE_REFUSAL_STATUS.has(facts.httpStatus.code) && facts.clientCertificate.requestFrame !== null;
  if ((refusedBy === 'server' || httpRefusal) && failedCheck('client-certificate')) return 'rejected';
  if (refusedBy === 'client' && failedCheck('server-certificate')) return 'rejected';
  return 'established';
}

/** Severities by outcome, and one root cause among errors. */
function weigh(outcome: Outcome, facts: ConnectionFacts, findings: Finding[], drafts: readonly FindingDraft[]): Finding[] {
  switch (outcome) {
    case 'established':
      // A healthy connection: only real risks, at most a warning; TLS 1.3 without keys is context.
      for (const f of findings) {
        const about = catalogEntry(f.id).about;
        if (f.id === 'tls13-encrypted-handshake' || about === 'capture') f.severity = 'info';
        else if (f.severity === 'error') f.severity = 'warning';
      }
      return findings;
    case 'incomplete':
    case 'not-understood':
      // The capture or tlsdiag cannot show how it ended: say what is missing, at info; what was seen stays a warning.
      for (const f of findings) {
        const about = catalogEntry(f.id).about;
        if (about === 'capture' || about === 'keys') f.severity = 'info';
        else if (f.severity === 'error') f.severity = 'warning';
      }
      return findings;
    case 'failed':
    case 'rejected': {
      promoteAlertExplanation(facts, findings);
      const cause = pickRootCause(facts, findings);
      if (cause === null) return findings;
      const kept: Finding[] = [];
      for (const [i, f] of findings.entries()) {
        if (f === cause || f.severity !== 'error' || NARRATION_IDS.has(f.id)) {
          kept.push(f);
          continue;
        }
        // Another candidate: gone when only the alert spoke for it, else an "also" warning.
        if (drafts[i]?.inferredFromAlert) continue;
        f.severity = 'warning';
        f.explanation = `Also (not the cause of this ${outcome === 'rejected' ? 'refusal' : 'failure'}, ${cause.id} is): ${f.explanation}`;
        kept.push(f);
      }
      return kept;
    }
    default:
      return findings;
  }
}

/**
 * A failure whose fatal alert only a warning-level finding explains (a weak key, a SHA-1 signature the peer
 * refused): that finding is the cause, so an error.
 */
function promoteAlertExplanation(facts: ConnectionFacts, findings: Finding[]): void {
  if (findings.some((f) => f.severity === 'error' && !NARRATION_IDS.has(f.id))) return;
  const frame = facts.fatalAlert?.frame;
  const explaining = findings.find((f) => !NARRATION_IDS.has(f.id) && frame !== undefined && f.explainsAlertFrame === frame);
  if (explaining) explaining.severity = 'error';
}

/** One failure reads as one story: each alert's narration names the findings that explain it. */
function linkAlertsToCauses(findings: Finding[]): void {
  for (const narration of findings) {
    if (!NARRATION_IDS.has(narration.id) || narration.explainsAlertFrame === undefined) continue;
    const causes = findings.filter((f) => !NARRATION_IDS.has(f.id) && f.explainsAlertFrame === narration.explainsAlertFrame).map((f) => f.id);
    if (causes.length > 0) {
      narration.explanation += ` Explained by: ${causes.join(', ')}.`;
      narration.evidence.fields['explained_by'] = causes;
    }
  }
}

function complete(draft: FindingDraft): Finding {
  const entry = catalogEntry(draft.id);
  const severity: Severity = draft.severity ?? entry.severity;
  const finding: Finding = {
    id: draft.id,
    severity,
    title: entry.title,
    explanation: draft.explanation,
    evidence: draft.evidence,
    remedy: draft.remedy ?? entry.remedy,
  };
  if (draft.explainsAlertFrame !== undefined) finding.explainsAlertFrame = draft.explainsAlertFrame;
  return finding;
}
