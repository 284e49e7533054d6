import { SEVERITY_RANK } from '../model/severity.js';
import type { ConnectionReport } from '../model/types.js';

/** --fail-on: the lowest severity that makes the exit code 1; 'none': findings never do (only 2 for unreadable input). */
export const SEVERITY_THRESHOLDS = ['error', 'warning', 'info', 'none'] as const;
export type FailOn = (typeof SEVERITY_THRESHOLDS)[number];

/** True when one of the connection's findings is at or above the threshold (the streaming CLI's exit 1). */
export function reachesThreshold(connection: ConnectionReport, failOn: FailOn): boolean {
  if (failOn === 'none') return false;
  const threshold = SEVERITY_RANK[failOn];
  return connection.findings.some((f) => SEVERITY_RANK[f.severity] <= threshold);
}
