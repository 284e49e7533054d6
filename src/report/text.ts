import type { AnalysisResult, ConnectionReport, Finding } from '../model/types.js';
import { isFailed, summarize } from './outcome.js';

export { isFailed };

export interface TextOptions {
  /** Include connections that succeeded with nothing to report. */
  all: boolean;
  color: boolean;
  /** At most this many connections in detail (failed first); default 20. */
  limit?: number;
}

const WIDTH = 100;

interface Palette {
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const ansi = (code: number) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;
const COLOR: Palette = { red: ansi(31), yellow: ansi(33), green: ansi(32), dim: ansi(2), bold: ansi(1) };
const PLAIN: Palette = { red: (s) => s, yellow: (s) => s, green: (s) => s, dim: (s) => s, bold: (s) => s };

function hasNews(c: ConnectionReport): boolean {
  return isFailed(c) || c.findings.some((f) => f.severity !== 'info');
}

/**
 * Human text: failed connections first, each opening with its root cause and the fix, then the evidence and
 * the handshake as a timeline. Successful connections without warnings are counted, and listed with --all.
 */
export function renderText(result: AnalysisResult, options: TextOptions): string {
  const p = options.color ? COLOR : PLAIN;
  const out: string[] = [];
  const failed = result.connections.filter(isFailed);
  const rest = result.connections.filter((c) => !isFailed(c));
  const candidates = [...failed, ...rest.filter((c) => options.all || hasNews(c))];
  const limit = options.limit ?? 20;
  const shown = candidates.slice(0, limit);
  // One failing connection opens with its cause; many get counts first so the pattern shows before the detail.
  if (failed.length > 1 || candidates.length > limit) out.push(...summaryLines(result, p), '');
  for (const c of shown) out.push(...renderConnection(printable(c), p, result.files.length > 1), '');
  if (candidates.length > shown.length) {
    out.push(p.dim(`${candidates.length - shown.length} more connections not shown (--limit ${limit}; --limit 0 shows none, --json has all)`), '');
  }

  const files = result.files.map((f) => `${f.file} (${f.format ?? 'unreadable'}${f.compressed ? ', gzip' : ''}, ${f.frames} frames)`);
  const hidden = result.connections.length - candidates.length;
  out.push(
    p.dim(
      `${files.join(', ')}: ${result.connections.length} TLS connection${result.connections.length === 1 ? '' : 's'}, ${failed.length} failed` +
        (hidden > 0 ? `; ${hidden} successful not shown (--all shows them)` : ''),
    ),
  );
  for (const w of result.warnings) out.push(p.yellow(`warning: ${printable(w.file)}: ${printable(w.message)}`));
  for (const f of result.files) if (f.error) out.push(p.yellow(`warning: ${printable(f.file)}: reading stopped early: ${printable(f.error)}`));
  return `${out.join('\n')}\n`;
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

function summaryLines(result: AnalysisResult, p: Palette): string[] {
  const s = summarize(result);
  return [
    p.bold(`${s.connections} TLS connections, ${s.failed} failed`),
    `  by outcome: ${s.byOutcome.map(([k, n]) => `${k} ${n}`).join(', ')}`,
    ...(s.byFinding.length > 0 ? [`  by finding: ${s.byFinding.map(([k, n]) => `${k} ${n}`).join(', ')}`] : []),
  ];
}

function renderConnection(c: ConnectionReport, p: Palette, showFile: boolean): string[] {
  const status = isFailed(c) ? p.red(p.bold('FAILED')) : p.green('OK');
  const facts = [c.sni ? `SNI ${c.sni}` : 'no SNI', c.version ?? 'no version agreed', c.cipherSuite].filter(Boolean);
  const lines = [
    `${status}  ${c.client.ip}:${c.client.port} → ${c.server.ip}:${c.server.port}  ${facts.join(', ')}  ` +
      p.dim(`(frames ${c.firstFrame}-${c.lastFrame}${showFile ? `, ${c.file}` : ''})`),
  ];
  for (const f of c.findings) lines.push(...renderFinding(f, p));
  lines.push(`  ${p.dim('handshake')} ${c.history}${c.decrypted ? p.dim('  (decrypted with the key log)') : ''}`);
  for (const e of c.timeline) {
    lines.push(p.dim(`    ${String(e.frame).padStart(6)}  ${e.from.padEnd(6)}  `) + `${e.kind.padEnd(18)} ${e.summary}`);
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
