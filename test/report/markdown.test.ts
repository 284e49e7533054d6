import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/report/markdown.js';
import { analyzed, HOSTILE, JAVA_EMPTY_CERT, withHostileStrings } from './helpers.js';

describe('renderMarkdown', () => {
  it('gives the failed connection a section: root cause, fix, evidence, handshake, certificates folded', async () => {
    const result = await analyzed(JAVA_EMPTY_CERT);
    const md = renderMarkdown(result, { all: false, limit: 20 });
    const c = result.connections[0]!;
    const cause = c.findings[0]!;
    expect(md).toContain(`## FAILED: ${c.client.ip}:${c.client.port} → ${c.server.ip}:${c.server.port}`);
    expect(md).toContain(`**Root cause** (\`${cause.id}\`, error)`);
    expect(md).toContain('**Fix:** ');
    expect(md).toContain(`| frames | ${cause.evidence.frames.join(', ')} |`);
    // Every timeline event is a row of the handshake table.
    for (const e of c.timeline) expect(md).toMatch(new RegExp(`^\\| ${e.frame} \\| \\+[\\d.]+ ms \\| ${e.from} \\| ${e.kind} \\|`, 'm'));
    const alert = c.alerts.find((a) => a.level === 'fatal')!;
    expect(md.match(/← failing step/g)).toHaveLength(1);
    expect(md).toMatch(new RegExp(`^\\| ${alert.frame} \\|.*\\| Alert \\| fatal ${alert.description}.*← failing step`, 'm'));
    expect(md).toMatch(/<details><summary>Certificates<\/summary>\n\n[\s\S]*CN=localhost,O=tlsdiag[\s\S]*<\/details>/);
  });

  it('keeps hostile names as text: no HTML, no broken table', async () => {
    const md = renderMarkdown(withHostileStrings(await analyzed(JAVA_EMPTY_CERT)), { all: false, limit: 20 });
    expect(md).not.toContain(HOSTILE);
    expect(md).not.toMatch(/<script|<img/i);
    expect(md).toContain('&lt;script&gt;');
    // Table rows keep their five cells although the summaries now contain pipes and brackets.
    const rows = md.split('\n').filter((l) => /^\| \d+ \|/.test(l));
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length).toBe(7);
  });

  it('summarises several failed connections and stops at the limit', async () => {
    const one = await analyzed(JAVA_EMPTY_CERT);
    const many = { ...one, connections: [0, 1, 2].map((i) => ({ ...one.connections[0]!, index: i })) };
    const md = renderMarkdown(many, { all: false, limit: 2 });
    expect(md).toContain('**Outcomes:** failed 3');
    expect(md).toContain('`client-cert-empty` 3');
    expect(md.match(/^## FAILED/gm)).toHaveLength(2);
    expect(md).toContain('1 more connections not shown (limit 2)');
  });
});

describe('a real capture with HTML in its names (test/report/fixtures/make-hostile-capture.sh)', () => {
  it('keeps them as text', async () => {
    const result = await analyzed('test/report/fixtures/hostile-names.pcap');
    expect(result.connections[0]!.sni).toBe('<script>alert(1)</script>.example');
    const md = renderMarkdown(result, { all: true, limit: 20 });
    expect(md).not.toMatch(/<script|<img|<b>bold/i);
    expect(md).toContain('(SNI &lt;script&gt;alert(1)&lt;/script&gt;.example)');
  });
});
