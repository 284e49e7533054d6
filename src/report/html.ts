import type { AnalysisResult, CertificateSummary, ConnectionReport, Finding } from '../model/types.js';
import { endpoint, evidenceRows, failingEventIndex, isFailed, outcomeHeadline, outcomeLabel, relativeMs, rootCause, upgradeLabel } from './outcome.js';
import { decryptionSource } from './decryption.js';
import { CollectingReport, type ReportCollector } from './collect.js';
import type { GroupBy, ProblemGroup } from './groups.js';

export interface HtmlOptions {
  all: boolean;
  limit: number;
  /** How failed connections are grouped to show each group's example first (src/report/groups.ts). */
  groupBy?: GroupBy;
}

/** Text and attribute escaping for everything that came from a capture (SNI, names, HTTP lines are untrusted). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}
const h = escapeHtml;

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;margin:24px auto;max-width:1100px;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;padding:6px 10px;border-radius:4px}
h2.failed{background:#ffebe9;border-left:4px solid #cf222e}h2.ok{background:#dafbe1;border-left:4px solid #1a7f37}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}code{font:12px ui-monospace,Menlo,Consolas,monospace;background:#f6f8fa;padding:1px 4px;border-radius:3px}
.cause{border:1px solid #cf222e;border-radius:6px;padding:8px 12px;margin:8px 0}.fix{font-weight:600}
.muted{color:#57606a}details{margin:8px 0}summary{cursor:pointer;font-weight:600}
svg text{font:12px ui-monospace,Menlo,Consolas,monospace}
`;

/** The problems grouped, the same rows in the same order as the text and markdown summaries; the first 20. */
function problemTable(rows: ProblemGroup[], by: GroupBy): string[] {
  if (rows.length === 0) return [];
  const place = by === 'cause' ? '' : `<th>${h(by)}</th>`;
  const out = [`<table class="problems"><tr><th>connections</th><th>severity</th><th>root cause</th>${place}<th>clients</th><th>client certificates</th><th>first</th><th>last</th><th>example</th></tr>`];
  for (const g of rows.slice(0, 20)) {
    out.push(
      `<tr><td>${g.connections}</td><td>${g.severity}</td><td><code>${h(g.cause)}</code></td>${g.where === null ? '' : `<td>${h(g.where)}</td>`}` +
        `<td>${g.clients}${g.clientsCapped ? '+' : ''}</td><td>${g.clientCertificates.map(h).join('<br>') || '–'}</td>` +
        `<td>${h(g.firstTime)}</td><td>${h(g.lastTime)}</td><td>#${g.example.index}, frames ${g.example.firstFrame}–${g.example.lastFrame}</td></tr>`,
    );
  }
  out.push('</table>');
  if (rows.length > 20) out.push(`<p class="muted">${rows.length - 20} more groups not shown.</p>`);
  return out;
}

/** One self-contained page (inline CSS and SVG, no scripts, nothing fetched) with a handshake ladder per connection. */
export function renderHtml(result: AnalysisResult, options: HtmlOptions): string {
  const report = new HtmlReport(options);
  for (const c of result.connections) report.add(c);
  return report.render(result);
}

/**
 * renderHtml for a stream of connections: keeps the counts and only the connections it will print
 * (src/report/collect.ts, the same choice as the text and markdown reports), so memory stays flat.
 */
export class HtmlReport extends CollectingReport<HtmlOptions> {
  render(facts: Pick<AnalysisResult, 'files' | 'warnings'>): string {
    return page(this.collected, facts, this.options);
  }
}

function page(collected: ReportCollector, facts: Pick<AnalysisResult, 'files' | 'warnings'>, options: HtmlOptions): string {
  const summary = collected.summary();
  const body: string[] = ['<h1>tlsdiag report</h1>'];
  body.push('<table><tr><th>capture</th><th>format</th><th>frames</th><th>TLS connections</th><th>failed</th></tr>');
  for (const f of facts.files) {
    const inFile = collected.byFile.get(f.file) ?? { connections: 0, failed: 0 };
    body.push(
      `<tr><td>${h(f.file)}</td><td>${h(f.format ?? 'unreadable')}${f.compressed ? ' (gzip)' : ''}</td><td>${f.frames}</td><td>${inFile.connections}</td><td>${inFile.failed}</td></tr>`,
    );
  }
  body.push('</table>');
  if (summary.connections > 1) {
    body.push(`<p><b>Outcomes:</b> ${h(summary.byOutcome.map(([k, n]) => `${k} ${n}`).join(', '))}</p>`);
    if (summary.byFinding.length > 0) {
      body.push(`<p><b>Findings:</b> ${summary.byFinding.map(([k, n]) => `<code>${h(k)}</code> ${n}`).join(', ')}</p>`);
    }
    body.push(...problemTable(collected.problemRows(), options.groupBy ?? 'server'));
  }
  const problems = [
    ...facts.files.filter((f) => f.error).map((f) => `${f.file}: reading stopped early: ${f.error}`),
    ...facts.warnings.map((w) => `${w.file}: ${w.message}`),
  ];
  if (problems.length > 0) body.push(`<p><b>Capture warnings:</b></p><ul>${problems.map((p) => `<li>${h(p)}</li>`).join('')}</ul>`);
  collected.shown().forEach((c, i) => body.push(connectionSection(c, i, facts.files.length > 1)));
  const notShown = collected.notShown();
  if (notShown > 0) body.push(`<p class="muted">${notShown} more connections not shown (limit ${options.limit}).</p>`);
  if (collected.failed === 0) body.push('<p>Every TLS handshake in the capture succeeded.</p>');
  const hidden = collected.hidden();
  if (hidden > 0) body.push(`<p class="muted">${hidden} successful connection${hidden === 1 ? '' : 's'} not shown.</p>`);
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    // No network, no scripts: the page must open offline inside a ticket system.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>tlsdiag report</title>',
    `<style>${STYLE}</style></head><body>`,
    ...body,
    '</body></html>',
    '',
  ].join('\n');
}

function connectionSection(c: ConnectionReport, n: number, showFile: boolean): string {
  const cause = rootCause(c);
  const failed = isFailed(c);
  const out: string[] = [`<section class="connection" id="connection-${n + 1}">`];
  out.push(
    `<h2 class="${failed ? 'failed' : 'ok'}">${h(outcomeHeadline(c))}: ${h(endpoint(c.client))} → ${h(endpoint(c.server))}${c.sni ? ` (SNI ${h(c.sni)})` : ''}</h2>`,
  );
  const facts: Array<[string, string]> = [
    ['Outcome', outcomeLabel(c)],
    ['Frames', `${c.firstFrame}–${c.lastFrame}${showFile ? ` of ${c.file}` : ''}`],
    ['Started', c.startTime],
    ...(upgradeLabel(c) !== null ? [['Upgraded from', upgradeLabel(c)!] as [string, string]] : []),
    ['Version', c.version ?? 'none agreed'],
    ['Cipher suite', c.cipherSuite ?? '–'],
    ['Handshake', `${c.history}${c.decrypted ? ` (decrypted with ${decryptionSource(c)})` : c.encryptedHandshake ? ' (encrypted, no key log)' : ''}`],
  ];
  out.push(`<table>${facts.map(([k, v]) => `<tr><th>${k}</th><td>${h(v)}</td></tr>`).join('')}</table>`);
  if (cause) out.push(findingBlock(cause, true));
  const others = c.findings.filter((f) => f !== cause);
  if (others.length > 0) {
    out.push(
      `<p><b>Other findings:</b></p><ul>${others.map((f) => `<li><code>${h(f.id)}</code> (${f.severity}): ${h(f.title)} — Fix: ${h(f.remedy)}</li>`).join('')}</ul>`,
    );
  }
  out.push(ladder(c));
  out.push(certificates(c));
  out.push('</section>');
  return out.join('\n');
}

function findingBlock(f: Finding, root: boolean): string {
  const rows = evidenceRows(f);
  const frames = f.evidence.frames.length > 0 ? `<tr><th>frames</th><td>${f.evidence.frames.join(', ')}</td></tr>` : '';
  return [
    `<div class="cause"><p><b>${root ? 'Root cause' : 'Finding'}</b> <code>${h(f.id)}</code> (${f.severity}): ${h(f.title)}</p>`,
    `<p class="fix">Fix: ${h(f.remedy)}</p>`,
    `<p>${h(f.explanation)}</p>`,
    `<table><tr><th>evidence</th><th>value</th></tr>${frames}${rows.map(([k, v]) => `<tr><td>${h(k)}</td><td>${h(v)}</td></tr>`).join('')}</table></div>`,
  ].join('\n');
}

const LADDER = { width: 1060, client: 200, server: 900, top: 50, row: 30, labelMax: 90 } as const;

/**
 * The handshake as a ladder: client and server columns, one arrow per message, alert and TCP close, with frame
 * number and time at the left; the failing step (the alert the root cause explains) drawn in red.
 */
export function ladder(c: ConnectionReport): string {
  const { width, client, server, top, row } = LADDER;
  const height = top + Math.max(1, c.timeline.length) * row + 20;
  const parts: string[] = [
    `<svg class="ladder" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="handshake ladder">`,
    '<defs>',
    ...['#1f2328', '#cf222e', '#8c959f'].map(
      (color, i) => `<marker id="arrow-${i}" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${color}"/></marker>`,
    ),
    '</defs>',
    `<text x="${client}" y="20" text-anchor="middle" font-weight="bold">client ${h(endpoint(c.client))}</text>`,
    `<text x="${server}" y="20" text-anchor="middle" font-weight="bold">server ${h(endpoint(c.server))}</text>`,
    `<text x="8" y="20" fill="#57606a">frame  time</text>`,
    `<line x1="${client}" y1="28" x2="${client}" y2="${height - 10}" stroke="#57606a" stroke-width="2"/>`,
    `<line x1="${server}" y1="28" x2="${server}" y2="${height - 10}" stroke="#57606a" stroke-width="2"/>`,
  ];
  const failingIndex = failingEventIndex(c);
  c.timeline.forEach((e, i) => {
    const y = top + i * row + 14;
    const fails = i === failingIndex;
    const tcp = e.kind === 'FIN' || e.kind === 'RST';
    const color = fails ? 1 : tcp ? 2 : 0;
    const stroke = ['#1f2328', '#cf222e', '#8c959f'][color];
    const [x1, x2] = e.from === 'client' ? [client, server] : [server, client];
    if (fails) parts.push(`<rect x="4" y="${y - 22}" width="${width - 8}" height="${row}" fill="#ffebe9" rx="4"/>`);
    parts.push(`<text x="8" y="${y}" fill="#57606a">${String(e.frame).padStart(5)}  ${h(relativeMs(c.startTime, e.time))}</text>`);
    parts.push(
      `<line x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" stroke="${stroke}" stroke-width="${fails ? 3 : 1.5}"${tcp ? ' stroke-dasharray="6 4"' : ''} marker-end="url(#arrow-${color})"/>`,
    );
    const label = e.summary === '' || e.summary.startsWith(e.kind) ? e.summary || e.kind : `${e.kind}: ${e.summary}`;
    const short = label.length > LADDER.labelMax ? `${label.slice(0, LADDER.labelMax - 1)}…` : label;
    parts.push(
      `<text x="${(client + server) / 2}" y="${y - 5}" text-anchor="middle" fill="${stroke}"${fails ? ' font-weight="bold"' : ''}><title>${h(label)}</title>${h(short)}</text>`,
    );
  });
  parts.push('</svg>');
  return `<p><b>Handshake</b> <span class="muted">(${h(c.history)}; frames as Wireshark numbers them)</span></p>\n${parts.join('\n')}`;
}


function certificates(c: ConnectionReport): string {
  const blocks: string[] = [];
  if (c.certificateRequest) {
    const names = c.certificateRequest.certificateAuthorities;
    blocks.push(
      `<p>Acceptable CA names sent by the server (frame ${c.certificateRequest.frame}):</p><ul>${names.length > 0 ? names.map((n) => `<li>${h(n)}</li>`).join('') : '<li>(none: any CA)</li>'}</ul>`,
    );
  }
  for (const [label, list] of [
    ['Client certificates', c.clientCertificates],
    ['Server certificates', c.serverCertificates],
  ] as const) {
    if (list === null) continue;
    blocks.push(`<p>${label} (${list.length === 0 ? 'empty: none sent' : list.length}):</p>`);
    blocks.push(list.length > 0 ? `<ol>${list.map(certificateItem).join('')}</ol>` : '');
  }
  if (blocks.length === 0) return '';
  return `<details><summary>Certificates</summary>\n${blocks.join('\n')}\n</details>`;
}

function certificateItem(cert: CertificateSummary): string {
  const key = [cert.publicKey.algorithm, cert.publicKey.size ? `${cert.publicKey.size} bits` : null, cert.publicKey.curve].filter(Boolean).join(' ');
  const rows: Array<[string, string]> = [
    ['Subject', cert.subject],
    ['Issuer', `${cert.issuer}${cert.selfSigned ? ' (self-signed)' : ''}`],
    ['Serial', cert.serialNumber],
    ['Valid', `${cert.notBefore} to ${cert.notAfter}`],
    ['Key', key],
    ['Signature', cert.signatureAlgorithm],
    ...(cert.subjectAltNames.length > 0 ? [['SANs', cert.subjectAltNames.join(', ')] as [string, string]] : []),
    ...(cert.extendedKeyUsage ? [['Extended key usage', cert.extendedKeyUsage.join(', ') || '(empty)'] as [string, string]] : []),
    ...(cert.basicConstraints?.ca ? [['CA', 'yes'] as [string, string]] : []),
    ['SHA-256', cert.sha256],
    ['SHA-1', cert.sha1],
  ];
  return `<li><table>${rows.map(([k, v]) => `<tr><th>${k}</th><td>${h(v)}</td></tr>`).join('')}</table></li>`;
}
