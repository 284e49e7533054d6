import type { Outcome } from '../facts/types.js';
import type { AnalysisResult, ConnectionReport, Finding } from '../model/types.js';

/** Outcomes a reader must act on: the handshake failed, a side refused the other, TLS never started. */
const PROBLEM_OUTCOMES: ReadonlySet<Outcome> = new Set<Outcome>(['failed', 'rejected', 'not-tls', 'upgrade-refused']);

/** A connection with a problem: failed, rejected, not TLS or a refused upgrade, or carrying an error. */
export function isFailed(c: ConnectionReport): boolean {
  return PROBLEM_OUTCOMES.has(c.outcome) || c.findings.some((f) => f.severity === 'error');
}

/** The outcome as a headline word: OK, REJECTED, FAILED, INCOMPLETE, NOT TLS, NOT UNDERSTOOD, UPGRADE REFUSED. */
export function outcomeHeadline(c: ConnectionReport): string {
  return c.outcome === 'established' ? 'OK' : c.outcome.replace('-', ' ').toUpperCase();
}

/**
 * Worth a section of its own even when it succeeded: a failure, or a finding above info. Text, markdown and
 * HTML show these in detail (failed ones first) and count the rest as successful connections not shown.
 */
export function hasNews(c: ConnectionReport): boolean {
  return isFailed(c) || c.findings.some((f) => f.severity !== 'info');
}

/** The finding a reader should see first: the root cause (findings arrive root cause first). */
export function rootCause(c: ConnectionReport): Finding | null {
  return c.findings.find((f) => f.severity === 'error') ?? c.findings[0] ?? null;
}

/**
 * The frame of the step where the handshake went wrong: the alert the root cause explains, else the first fatal
 * alert, else the root cause's first evidence frame. null for a connection without trouble.
 */
export function failingFrame(c: ConnectionReport): number | null {
  if (!isFailed(c)) return null;
  const cause = rootCause(c);
  if (cause?.explainsAlertFrame !== undefined) return cause.explainsAlertFrame;
  const fatal = c.alerts.find((a) => a.level === 'fatal' || a.level === null);
  if (fatal) return fatal.frame;
  return cause?.evidence.frames.at(-1) ?? null;
}

/** The timeline event of the failing step: several messages share a frame, so the alert in it, else its last. */
export function failingEventIndex(c: ConnectionReport): number {
  const frame = failingFrame(c);
  if (frame === null) return -1;
  const alert = c.timeline.findIndex((e) => e.frame === frame && e.kind === 'Alert');
  if (alert !== -1) return alert;
  return c.timeline.map((e) => e.frame).lastIndexOf(frame);
}

/** The outcome in words, with what is missing for an incomplete or not-understood connection. */
export function outcomeLabel(c: ConnectionReport): string {
  return c.outcomeDetail ? `${c.outcome} (${c.outcomeDetail})` : c.outcome;
}

/** Counts for a capture-wide summary: connections by outcome and by finding id (most frequent first). */
export interface ResultSummary {
  connections: number;
  failed: number;
  byOutcome: Array<[string, number]>;
  byFinding: Array<[string, number]>;
}

export function summarize(result: AnalysisResult): ResultSummary {
  const outcomes = new Map<string, number>();
  const findings = new Map<string, number>();
  for (const c of result.connections) {
    outcomes.set(c.outcome, (outcomes.get(c.outcome) ?? 0) + 1);
    for (const id of new Set(c.findings.map((f) => f.id))) findings.set(id, (findings.get(id) ?? 0) + 1);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return {
    connections: result.connections.length,
    failed: result.connections.filter(isFailed).length,
    byOutcome: sorted(outcomes),
    byFinding: sorted(findings),
  };
}

/** Evidence fields worth printing (empty values dropped), as display strings. */
export function evidenceRows(f: Finding): Array<[string, string]> {
  return Object.entries(f.evidence.fields)
    .filter(([, v]) => v !== null && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => [k, Array.isArray(v) ? v.join('; ') : String(v)]);
}

export function endpoint(e: { ip: string; port: number }): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

/** Milliseconds since the connection's first frame, for ladder and tables ("+12.345 ms"). */
export function relativeMs(start: string, time: string): string {
  const ms = Date.parse(time) - Date.parse(start);
  const micros = (t: string) => Number(/\.(\d+)Z$/.exec(t)?.[1]?.padEnd(6, '0').slice(3, 6) ?? 0) / 1000;
  const value = ms + micros(time) - micros(start);
  return Number.isFinite(value) ? `+${value.toFixed(3)} ms` : '';
}

/** The plaintext protocol TLS was started from, and whether the server refused the upgrade; null for direct TLS. */
export function upgradeLabel(c: ConnectionReport): string | null {
  if (c.upgradedFrom === null) return null;
  return c.upgradeRefused ? `${c.upgradedFrom} (refused: ${c.upgradeRefused.command} → ${c.upgradeRefused.reply})` : c.upgradedFrom;
}
