import type { AnalyzeProgress } from '../analyze.js';

/** Below this much input the run is over before a progress line would help. */
export const PROGRESS_MIN_BYTES = 4 * 1024 * 1024;
const REDRAW_INTERVAL_MS = 200;
const CLEAR_LINE = '\r\u001b[K';

export interface ProgressDecision {
  quiet: boolean;
  stderrIsTTY: boolean;
  /** Sum of the input files' sizes; null when unknown (standard input). */
  totalBytes: number | null;
}

/** A progress line only for a person watching a terminal, on a run long enough to need it. */
export function wantsProgress({ quiet, stderrIsTTY, totalBytes }: ProgressDecision): boolean {
  if (quiet || !stderrIsTTY) return false;
  return totalBytes === null || totalBytes >= PROGRESS_MIN_BYTES;
}

export interface ProgressFigures {
  bytesRead: number;
  totalBytes: number | null;
  elapsedMs: number;
  connections: number;
}

/** "312 of 1,024 MB (30%) · 850 MB/s · 12,345 connections · ETA 1 s" */
export function formatProgress({ bytesRead, totalBytes, elapsedMs, connections }: ProgressFigures): string {
  const mb = (n: number): string => (n / 1e6).toLocaleString('en-US', { maximumFractionDigits: n < 10e6 ? 1 : 0 });
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? bytesRead / seconds : 0;
  const parts: string[] = [];
  if (totalBytes !== null && totalBytes > 0) {
    const share = Math.min(100, Math.floor((bytesRead / totalBytes) * 100));
    parts.push(`${mb(bytesRead)} of ${mb(totalBytes)} MB (${share}%)`);
  } else {
    parts.push(`${mb(bytesRead)} MB`);
  }
  parts.push(`${rate > 0 ? mb(rate) : '—'} MB/s`);
  parts.push(`${connections.toLocaleString('en-US')} connection${connections === 1 ? '' : 's'}`);
  if (totalBytes !== null && rate > 0 && bytesRead < totalBytes) {
    parts.push(`ETA ${formatDuration((totalBytes - bytesRead) / rate)}`);
  }
  return parts.join(' · ');
}

function formatDuration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/**
 * One line on a terminal (stderr), redrawn in place at most every 200 ms, erased when the run ends so the
 * report starts on a clean line. Files may progress side by side (worker threads): each file's latest figures
 * are kept and summed.
 */
export class ProgressLine {
  private readonly bytesPerFile = new Map<string, number>();
  private readonly connectionsPerFile = new Map<string, number>();
  private readonly started: number;
  private lastDraw = -Infinity;
  private drawn = false;

  constructor(
    private readonly out: { write(text: string): unknown },
    private readonly totalBytes: number | null,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
  }

  update(progress: AnalyzeProgress): void {
    this.bytesPerFile.set(progress.file, progress.bytesRead);
    this.connectionsPerFile.set(progress.file, progress.connections);
    const t = this.now();
    if (t - this.lastDraw < REDRAW_INTERVAL_MS) return;
    this.lastDraw = t;
    this.draw(t);
  }

  /** Erases the line (when one was drawn). */
  finish(): void {
    if (this.drawn) this.out.write(CLEAR_LINE);
    this.drawn = false;
  }

  private draw(t: number): void {
    let bytesRead = 0;
    for (const n of this.bytesPerFile.values()) bytesRead += n;
    let connections = 0;
    for (const n of this.connectionsPerFile.values()) connections += n;
    const text = formatProgress({ bytesRead, totalBytes: this.totalBytes, elapsedMs: t - this.started, connections });
    this.out.write(`${CLEAR_LINE}tlsdiag: ${text}`);
    this.drawn = true;
  }
}
