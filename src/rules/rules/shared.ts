import type { AlertSummary, ConnectionReport } from '../../model/types.js';

/** The first fatal (or unreadable encrypted) alert at or after a frame. */
export function firstFatalAlertAfter(report: ConnectionReport, frame: number): AlertSummary | null {
  return report.alerts.find((a) => a.frame >= frame && (a.level === 'fatal' || a.description === null)) ?? null;
}
