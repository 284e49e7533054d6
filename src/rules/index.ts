import type { Finding } from '../model/types.js';
import { catalogEntry } from './catalog.js';
import { CAPTURE_IDS, FALLBACK_RULE, NARRATION_IDS, NON_TLS_IDS, POST_HANDSHAKE_FALLBACK_RULE, RULES } from './registry.js';
import type { FindingDraft, RuleContext, RuleInput } from './types.js';

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/**
 * Runs every registered rule on one connection. Findings come out root cause first: errors before warnings
 * before info, and within a severity in the order the rules are registered (most specific first).
 */
export async function runRules(input: RuleInput, context: RuleContext): Promise<Finding[]> {
  const findings: Finding[] = [];
  const notTls = input.connection.nonTls !== null;
  for (const rule of RULES) {
    if (notTls && !rule.produces.some((id) => NON_TLS_IDS.has(id))) continue;
    const drafts = await rule.run(input, context);
    for (const draft of drafts) findings.push(complete(draft));
  }
  if (notTls) return findings;
  // A cause is found when an error-level finding names it, or when a finding explains the fatal alert.
  const explained = findings.some((f) => !NARRATION_IDS.has(f.id) && (f.severity === 'error' || f.explainsAlertFrame !== undefined));
  const captureHidesIt = findings.some((f) => CAPTURE_IDS.has(f.id));
  if (!input.report.established && !explained && !captureHidesIt) {
    for (const draft of await FALLBACK_RULE.run(input, context)) findings.push(complete(draft));
  }
  if (input.report.established && !findings.some((f) => f.severity === 'error')) {
    for (const draft of await POST_HANDSHAKE_FALLBACK_RULE.run(input, context)) findings.push(complete(draft));
  }
  linkAlertsToCauses(findings);
  return findings
    .map((finding, order) => ({ finding, order }))
    .sort((a, b) => SEVERITY_ORDER[a.finding.severity] - SEVERITY_ORDER[b.finding.severity] || a.order - b.order)
    .map((x) => x.finding);
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
  const finding: Finding = {
    id: draft.id,
    severity: entry.severity,
    title: entry.title,
    explanation: draft.explanation,
    evidence: draft.evidence,
    remedy: draft.remedy ?? entry.remedy,
  };
  if (draft.explainsAlertFrame !== undefined) finding.explainsAlertFrame = draft.explainsAlertFrame;
  return finding;
}
