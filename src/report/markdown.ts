import type { AnalysisResult, CertificateSummary, ConnectionReport, Finding } from '../model/types.js';
import { CollectingReport } from './collect.js';
import type { GroupBy, ProblemGroup } from './groups.js';
import { endpoint, evidenceRows, failingEventIndex, outcomeHeadline, outcomeLabel, relativeMs, rootCause, upgradeLabel } from './outcome.js';
import { decryptionSource } from './decryption.js';

export interface MarkdownOptions {
  /** Also give a section to connections that succeeded. */
  all: boolean;
  /** At most this many connection sections (failed ones first). */
  limit: number;
  /** How the problem table groups besides the root cause (src/report/groups.ts); default server. */
  groupBy?: GroupBy;
}

/**
 * A support-ticket summary: the capture facts, then one section per failed connection (root cause, fix,
 * evidence, handshake, certificates folded in <details>). Plain text stays readable: tables are short and
 * everything taken from the capture is escaped so it can neither break the layout nor inject HTML.
 */
export function renderMarkdown(result: AnalysisResult, options: MarkdownOptions): string {
  const report = new MarkdownReport(options);
  for (const c of result.connections) report.add(c);
  return report.render(result);
}

/**
 * renderMarkdown for a stream of connections: keeps the counts and only the connections it will print
 * (src/report/collect.ts, the same choice as the text report), so memory does not grow with the capture.
 */
export class MarkdownReport extends CollectingReport<MarkdownOptions> {
  render(facts: Pick<AnalysisResult, 'files' | 'warnings'>): string {
    const options = this.options;
    const collected = this.collected;
    const out: string[] = ['# tlsdiag report', ''];
    const summary = collected.summary();
    out.push('| capture | format | frames | TLS connections | failed |', '|---|---|---:|---:|---:|');
    for (const f of facts.files) {
      const inFile = collected.byFile.get(f.file) ?? { connections: 0, failed: 0 };
      out.push(
        `| ${cell(f.file)} | ${f.format ?? 'unreadable'}${f.compressed ? ' (gzip)' : ''} | ${f.frames} | ${inFile.connections} | ${inFile.failed} |`,
      );
    }
    out.push('');
    if (summary.connections > 1) {
      out.push(`**Outcomes:** ${summary.byOutcome.map(([k, n]) => `${k} ${n}`).join(', ')}`);
      if (summary.byFinding.length > 0) out.push(`**Findings:** ${summary.byFinding.map(([k, n]) => `\`${k}\` ${n}`).join(', ')}`);
      out.push('', ...problemTable(collected.problemRows(), options.groupBy ?? 'server'));
    }
    const problems = [
      ...facts.files.filter((f) => f.error).map((f) => `${f.file}: reading stopped early: ${f.error}`),
      ...facts.warnings.map((w) => `${w.file}: ${w.message}`),
    ];
    if (problems.length > 0) out.push('**Capture warnings:**', '', ...problems.map((p) => `- ${text(p)}`), '');

    for (const c of collected.shown()) out.push(...connectionSection(c, facts.files.length > 1));
    const notShown = collected.notShown();
    if (notShown > 0) out.push(`_${notShown} more connections not shown (limit ${options.limit})._`, '');
    if (collected.failed === 0) out.push('Every TLS handshake in the capture succeeded.', '');
    const hidden = collected.hidden();
    if (hidden > 0) out.push(`${hidden} successful connection${hidden === 1 ? '' : 's'} not shown.`, '');
    return `${out.join('\n').trimEnd()}\n`;
  }
}

/** The problems grouped, as the text summary has them (same rows, same order); the first 20. */
function problemTable(rows: ProblemGroup[], by: GroupBy): string[] {
  if (rows.length === 0) return [];
  const place = by === 'cause' ? [] : [by];
  const out = [
    `| connections | severity | root cause |${place.map((p) => ` ${p} |`).join('')} clients | client certificates | first | last | example |`,
    `|---:|---|---|${place.map(() => '---|').join('')}---:|---|---|---|---|`,
  ];
  for (const g of rows.slice(0, 20)) {
    const where = g.where === null ? '' : ` ${cell(g.where)} |`;
    const certificates = g.clientCertificates.map(cell).join('<br>') || '–';
    const example = `#${g.example.index}, frames ${g.example.firstFrame}–${g.example.lastFrame}`;
    out.push(
      `| ${g.connections} | ${g.severity} | \`${g.cause}\` |${where} ${g.clients}${g.clientsCapped ? '+' : ''} | ${certificates} | ${g.firstTime} | ${g.lastTime} | ${example} |`,
    );
  }
  if (rows.length > 20) out.push('', `_${rows.length - 20} more groups not shown._`);
  return [...out, ''];
}

function connectionSection(c: ConnectionReport, showFile: boolean): string[] {
  const cause = rootCause(c);
  const heading = `${outcomeHeadline(c)}: ${endpoint(c.client)} → ${endpoint(c.server)}${c.sni ? ` (SNI ${text(c.sni)})` : ''}`;
  const out = [`## ${heading}`, ''];
  const facts: Array<[string, string]> = [
    ['Outcome', outcomeLabel(c)],
    ['Frames', `${c.firstFrame}–${c.lastFrame}${showFile ? ` of ${c.file}` : ''}`],
    ['Started', c.startTime],
    ...(upgradeLabel(c) !== null ? [['Upgraded from', upgradeLabel(c)!] as [string, string]] : []),
    ['Version', c.version ?? 'none agreed'],
    ['Cipher suite', c.cipherSuite ?? '–'],
    ['Handshake', `${c.history}${c.decrypted ? ` (decrypted with ${decryptionSource(c)})` : c.encryptedHandshake ? ' (encrypted, no key log)' : ''}`],
  ];
  out.push(...facts.map(([k, v]) => `- **${k}:** ${text(v)}`), '');
  if (cause) {
    out.push(`**Root cause** (\`${cause.id}\`, ${cause.severity}): ${text(cause.title)}`, '');
    out.push(`**Fix:** ${text(cause.remedy)}`, '', text(cause.explanation), '');
    out.push(...evidenceTable(cause));
  }
  const others = c.findings.filter((f) => f !== cause);
  if (others.length > 0) {
    out.push('**Other findings:**', '');
    for (const f of others) out.push(`- \`${f.id}\` (${f.severity}): ${text(f.title)} — Fix: ${text(f.remedy)}`);
    out.push('');
  }
  out.push('**Handshake:**', '', '| frame | time | from | message | detail |', '|---:|---|---|---|---|');
  const failing = failingEventIndex(c);
  c.timeline.forEach((e, i) => {
    const mark = i === failing ? ' **← failing step**' : '';
    out.push(`| ${e.frame} | ${relativeMs(c.startTime, e.time)} | ${e.from} | ${cell(e.kind)} | ${cell(e.summary)}${mark} |`);
  });
  out.push('');
  const certs: Array<[string, CertificateSummary[] | null]> = [
    ['Client certificates', c.clientCertificates],
    ['Server certificates', c.serverCertificates],
  ];
  const details: string[] = [];
  if (c.certificateRequest) {
    details.push('Acceptable CA names sent by the server:', '');
    details.push(...(c.certificateRequest.certificateAuthorities.length > 0 ? c.certificateRequest.certificateAuthorities.map((n) => `- ${text(n)}`) : ['- (none: any CA)']), '');
  }
  for (const [label, list] of certs) {
    if (list === null) continue;
    details.push(`${label} (${list.length === 0 ? 'empty: none sent' : list.length}):`, '');
    list.forEach((cert, i) => details.push(...certificateLines(cert, i)));
    if (list.length > 0) details.push('');
  }
  if (details.length > 0) out.push('<details><summary>Certificates</summary>', '', ...details, '</details>', '');
  return out;
}

function evidenceTable(f: Finding): string[] {
  const rows = evidenceRows(f);
  const out = ['| evidence | value |', '|---|---|'];
  if (f.evidence.frames.length > 0) out.push(`| frames | ${f.evidence.frames.join(', ')} |`);
  for (const [k, v] of rows) out.push(`| ${cell(k)} | ${cell(v)} |`);
  return [...out, ''];
}

function certificateLines(cert: CertificateSummary, i: number): string[] {
  const key = [cert.publicKey.algorithm, cert.publicKey.size ? `${cert.publicKey.size} bits` : null, cert.publicKey.curve]
    .filter(Boolean)
    .join(' ');
  return [
    `${i + 1}. Subject: ${text(cert.subject)}`,
    `   - Issuer: ${text(cert.issuer)}${cert.selfSigned ? ' (self-signed)' : ''}`,
    `   - Serial: ${text(cert.serialNumber)}; valid ${cert.notBefore} to ${cert.notAfter}`,
    `   - Key: ${text(key)}; signature ${text(cert.signatureAlgorithm)}`,
    ...(cert.subjectAltNames.length > 0 ? [`   - SANs: ${text(cert.subjectAltNames.join(', '))}`] : []),
    ...(cert.extendedKeyUsage ? [`   - Extended key usage: ${text(cert.extendedKeyUsage.join(', ') || '(empty)')}`] : []),
    ...(cert.basicConstraints?.ca ? ['   - CA certificate'] : []),
    `   - SHA-256: ${cert.sha256}; SHA-1: ${cert.sha1}`,
  ];
}

/**
 * Markdown-safe text: one line, HTML special characters as entities (a name like `<script>` stays text on
 * GitHub and GitLab), Markdown punctuation that could start markup backslash-escaped.
 */
export function text(s: string): string {
  return s
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[\x00-\x1f\x7f-\x9f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*[\]|#!~])/g, '\\$1')
    .replace(/(^|\s)_/g, '$1\\_');
}

function cell(s: string): string {
  return text(s);
}
