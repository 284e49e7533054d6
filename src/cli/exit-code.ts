import type { AnalysisResult, Severity } from '../model/types.js';

export const SEVERITY_THRESHOLDS = ['error', 'warning', 'info'] as const;
export type FailOn = (typeof SEVERITY_THRESHOLDS)[number];

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** 1 when any finding reaches the threshold, else 0. Unreadable input (2) is decided by the caller. */
export function exitCodeFor(result: AnalysisResult, failOn: FailOn): number {
  const threshold = RANK[failOn];
  const hit = result.connections.some((c) => c.findings.some((f) => RANK[f.severity] >= threshold));
  return hit ? 1 : 0;
}
