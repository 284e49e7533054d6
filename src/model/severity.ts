import type { Severity } from './types.js';

/** Severities in order, most severe first: findings are listed and compared by it, and --fail-on thresholds it. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2 };
