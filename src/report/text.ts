import { styleText } from 'node:util';
import type { AnalysisResult, ConnectionReport, Finding } from '../model/types.js';
import { ReportCollector } from './collect.js';
import type { GroupBy, ProblemGroup } from './groups.js';
import { isFailed, outcomeHeadline } from './outcome.js';
import { decryptionSource } from './decryption.js';

export { isFailed };

export interface TextOptions {
  /** Include connections that succeeded with nothing to report. */
  all: boolean;
  color: boolean;
  /** At most this many connections in detail (failed first); default 20. */
  limit?: number;
  /**
   * The failed connections were printed as they ended (renderConnectionNow, live input): render() gives only the
   * counts and the footer, with no connection in detail.
   */
  streamed?: boolean;
  /** How the summary groups the problems besides their root cause (src/report/groups.ts); default server. */
  groupBy?: GroupBy;
}

const WIDTH = 100;

interface Palette {
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

// The caller decides whether to colour (src/cli: --no-color, FORCE_COLOR, NO_COLOR, a terminal): styleText must
// not check the stream again (validateStream, Node 22.13+; older Node ignores the option and always styles).
type StyleFormat = Parameters<typeof styleText>[0];
const style = (format: StyleFormat) => (s: string) => styleText(format, s, { validateStream: false } as never);
const COLOR: Palette = { red: style('red'), yellow: style('yellow'), green: style('green'), dim: style('dim'), bold: style('bold') };
const PLAIN: Palette = { red: (s) => s, yellow: (s) => s, green: (s) => s, dim: (s) => s, bold: (s) => s };

/**
 * Human text: failed connections first, each opening with its root cause and the fix, then the evidence and
 * the handshake as a timeline. Successful connections without warnings are counted, and listed with --all.
 */
export function renderText(result: AnalysisResult, options: TextOptions): string {
  const report = new TextReport(options);
  for (const c of result.connections) report.add(c);
  return report.render(result);
}

/**
 * renderText for a stream of connections: keeps the counts and only the connections it will print (the first
 * `limit` failed ones and the first `limit` others worth showing), so memory does not grow with the capture.
 */
export class TextReport {
  private readonly limit: number;
  private readonly collected: ReportCollector;

  constructor(private readonly options: TextOptions) {
    this.limit = options.limit ?? 20;
    this.collected = new ReportCollector({ all: options.all, limit: this.limit, groupBy: options.groupBy });
  }

  add(c: ConnectionReport): void {
    this.collected.add(c);
  }

  render(facts: Pick<AnalysisResult, 'files' | 'warnings'>): string {
    const options = this.options;
    const p = options.color ? COLOR : PLAIN;
    const out: string[] = [];
    const limit = this.limit;
    const collected = this.collected;
    const shown = options.streamed ? [] : collected.shown();
    // One failing connection opens with its cause; many get counts first so the pattern shows before the detail.
    if (options.streamed || collected.failed > 1 || collected.candidates > limit) out.push(...this.summaryLines(p), '');
    for (const c of shown) out.push(...renderConnection(printable(c), p, facts.files.length > 1), '');
    const notShown = collected.candidates - shown.length - (options.streamed ? collected.failed : 0);
    if (notShown > 0) {
      const why = options.streamed ? 'failed ones were printed as they ended' : `--limit ${limit}; --limit 0 shows none`;
      out.push(p.dim(`${notShown} more connections not shown (${why}, --json has all)`), '');
    }

    const files = filesLine(facts.files);
    const hidden = collected.hidden();
    out.push(
      p.dim(
        `${files}: ${collected.total} TLS connection${collected.total === 1 ? '' : 's'}, ${collected.failed} failed` +
          (hidden > 0 ? `; ${hidden} successful not shown (--all shows them)` : ''),
      ),
    );
    for (const w of facts.warnings) out.push(p.yellow(`warning: ${printable(w.file)}: ${printable(w.message)}`));
    // An input of which nothing could be read is named once, on standard error (the CLI), and above as unreadable.
    for (const f of facts.files) if (f.error && f.frames > 0) out.push(p.yellow(`warning: ${printable(f.file)}: reading stopped early: ${printable(f.error)}`));
    return `${out.join('\n')}\n`;
  }

  /** The same counts as summarize() of the whole result, then the problem groups. */
  private summaryLines(p: Palette): string[] {
    const summary = this.collected.summary();
    return [
      p.bold(`${summary.connections} TLS connections, ${summary.failed} failed`),
      `  by outcome: ${summary.byOutcome.map(([k, n]) => `${k} ${n}`).join(', ')}`,
      ...(summary.byFinding.length > 0 ? [`  by finding: ${summary.byFinding.map(([k, n]) => `${k} ${n}`).join(', ')}`] : []),
      ...problemLines(this.collected.problemRows(), this.options.groupBy ?? 'server', p),
    ];
  }
}

/**
 * The value with control characters (ESC, CR, BEL, C1 …) shown as \xNN: an SNI or certificate name carrying
 * terminal escape sequences must not recolour, move or rewrite what the reader sees.
 */
export function printable<T>(value: T): T {
  if (typeof value === 'string') {
    return value.replace(/[\x00-\x1f\x7f-\x9f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`) as T;
  }
  if (Array.isArray(value)) return value.map(printable) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, printable(v)])) as T;
  }
  return value;
}

/** The footer's inputs: each named up to three; more as counts, naming only the unreadable ones (at most five). */
function filesLine(files: AnalysisResult['files']): string {
  const one = (f: AnalysisResult['files'][number]) => `${printable(f.file)} (${f.format ?? 'unreadable'}${f.compressed ? ', gzip' : ''}, ${f.frames} frames)`;
  if (files.length <= 3) return files.map(one).join(', ');
  const formats = new Map<string, number>();
  for (const f of files) if (f.format !== null) formats.set(f.format, (formats.get(f.format) ?? 0) + 1);
  const frames = files.reduce((n, f) => n + f.frames, 0);
  const unreadable = files.filter((f) => f.format === null);
  const named = unreadable.slice(0, 5).map((f) => printable(f.file)).join(', ') + (unreadable.length > 5 ? ', …' : '');
  return (
    `${files.length} captures (${[...formats].map(([format, n]) => `${n} ${format}`).join(', ')}; ${frames} frames` +
    `${unreadable.length > 0 ? `; ${unreadable.length} unreadable: ${named}` : ''})`
  );
}

/** The problem rows of the summary (src/report/groups.ts): at most 20, the rest counted. */
function problemLines(rows: ProblemGroup[], by: GroupBy, p: Palette): string[] {
  if (rows.length === 0) return [];
  const MAX_ROWS = 20;
  const lines = [`  problems by root cause${by === 'cause' ? '' : ` and ${by}`} (errors first):`];
  for (const g of rows.slice(0, MAX_ROWS).map((row) => printable(row))) {
    const mark = g.severity === 'error' ? p.red('ERROR') : p.yellow('WARNING');
    const clients = `${g.clients}${g.clientsCapped ? '+' : ''} client${g.clients === 1 ? '' : 's'}`;
    const example = `e.g. #${g.example.index} frames ${g.example.firstFrame}-${g.example.lastFrame}`;
    lines.push(`    ${String(g.connections).padStart(5)} × ${mark} ${p.bold(g.cause)}${g.where === null ? '' : ` at ${g.where}`}: ${clients}, ${g.firstTime} … ${g.lastTime}, ${example}`);
    if (g.clientCertificates.length > 0) lines.push(p.dim(`            client certificates: ${g.clientCertificates.join('; ')}`));
  }
  if (rows.length > MAX_ROWS) lines.push(p.dim(`    ${rows.length - MAX_ROWS} more groups (--json has every connection)`));
  return lines;
}

/** One connection in detail, as render() shows it, followed by a blank line: for printing it the moment it ends. */
export function renderConnectionNow(c: ConnectionReport, options: { color: boolean; showFile: boolean }): string {
  return `${renderConnection(printable(c), options.color ? COLOR : PLAIN, options.showFile).join('\n')}\n\n`;
}

function renderConnection(c: ConnectionReport, p: Palette, showFile: boolean): string[] {
  const headline = outcomeHeadline(c);
  const status = isFailed(c) ? p.red(p.bold(headline)) : c.outcome === 'established' ? p.green(headline) : p.yellow(headline);
  const upgrade = c.upgradedFrom ? `after ${c.upgradedFrom} ${c.upgradeRefused ? 'upgrade (refused)' : 'upgrade'}` : null;
  const facts = [upgrade, c.sni ? `SNI ${c.sni}` : 'no SNI', c.version ?? 'no version agreed', c.cipherSuite, c.resumed ? 'resumed' : null].filter(Boolean);
  const lines = [
    `${status}  ${c.client.ip}:${c.client.port} → ${c.server.ip}:${c.server.port}  ${facts.join(', ')}  ` +
      p.dim(`(${c.startTime}, frames ${c.firstFrame}-${c.lastFrame}${showFile ? `, ${c.file}` : ''})`),
  ];
  for (const f of c.findings) lines.push(...renderFinding(f, p));
  if (c.upgradeRefused) {
    lines.push(`  ${p.dim('upgrade')} ${c.upgradeRefused.command} → "${c.upgradeRefused.reply}" (frame ${c.upgradeRefused.frame}): no TLS`);
  } else if (c.nonTls) {
    const what = c.nonTls.firstLine !== null ? `"${c.nonTls.firstLine}"` : 'bytes that are not TLS';
    lines.push(`  ${p.dim('not TLS')} the ${c.nonTls.side} sent ${what} (frame ${c.nonTls.frame})${c.history ? `; handshake ${c.history}` : ''}`);
  } else {
    lines.push(`  ${p.dim('handshake')} ${c.history}${c.decrypted ? p.dim(`  (decrypted with ${decryptionSource(c)})`) : ''}`);
  }
  for (const e of c.timeline) {
    lines.push(p.dim(`    ${String(e.frame).padStart(6)}  ${e.from.padEnd(6)}  `) + `${e.kind.padEnd(18)} ${e.summary}`);
  }
  // What was checked for revocation, against what, as of when (CRLs given, stapled OCSP).
  for (const r of c.revocation) {
    const window = r.thisUpdate ? ` (${r.thisUpdate} → ${r.nextUpdate ?? 'no nextUpdate'})` : '';
    lines.push(...wrap(`${p.dim('revocation')} ${r.side} ${r.subject ?? 'certificate'}${r.serialNumber ? ` serial ${r.serialNumber}` : ''}: ${r.status} — ${r.against}${window}, as of ${r.asOf}`, '  '));
  }
  return lines;
}

function renderFinding(f: Finding, p: Palette): string[] {
  const mark = f.severity === 'error' ? p.red('✗ ERROR') : f.severity === 'warning' ? p.yellow('! WARNING') : p.dim('i info');
  const lines = [`  ${mark} ${p.bold(f.id)}: ${f.title}`];
  lines.push(...wrap(`Fix: ${f.remedy}`, '      '));
  lines.push(...wrap(f.explanation, '      '));
  const fields = Object.entries(f.evidence.fields)
    .filter(([, v]) => v !== null && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join('; ')}]` : String(v)}`);
  const frames = f.evidence.frames.length > 0 ? [`frames ${f.evidence.frames.join(', ')}`] : [];
  lines.push(...wrap(p.dim(`Evidence: ${[...frames, ...fields].join('; ')}`), '      '));
  return lines;
}

function wrap(text: string, indent: string): string[] {
  const words = text.split(' ');
  const lines: string[] = [];
  let line = indent;
  for (const word of words) {
    if (line.length + word.length + 1 > WIDTH && line.trim().length > 0) {
      lines.push(line.trimEnd());
      line = indent;
    }
    line += `${word} `;
  }
  if (line.trim().length > 0) lines.push(line.trimEnd());
  return lines;
}
