// The problem summary on a capture folder of many connections across many servers (captures/mtls: 21
// connections, 19 servers): one row per root cause and server, errors first, counts that add up.
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { expandInputs } from '../../src/cli/inputs.js';
import type { AnalysisResult } from '../../src/model/types.js';
import { GROUP_BY, ProblemGroups } from '../../src/report/groups.js';
import { isFailed, rootCause } from '../../src/report/outcome.js';
import { runCli } from '../cli/run.js';

let result: AnalysisResult;
beforeAll(async () => {
  result = await analyze(expandInputs(['captures/mtls']));
});

const grouped = (by: (typeof GROUP_BY)[number]) => {
  const groups = new ProblemGroups(by);
  for (const c of result.connections) groups.add(c);
  return groups.rows();
};

describe('ProblemGroups', () => {
  it('counts every failed connection and every one whose root cause is a warning, once, whatever the grouping', () => {
    const problems = result.connections.filter((c) => isFailed(c) || rootCause(c)?.severity === 'warning');
    expect(result.connections.length).toBeGreaterThan(15);
    expect(problems.length).toBeGreaterThan(10);
    for (const by of GROUP_BY) {
      const rows = grouped(by);
      expect(rows.reduce((n, r) => n + r.connections, 0), by).toBe(problems.length);
      // Errors first, then by count.
      const ranks = rows.map((r) => (r.severity === 'error' ? 0 : 1));
      expect(ranks, by).toEqual([...ranks].sort());
      for (let i = 1; i < rows.length; i++) {
        if (rows[i]!.severity === rows[i - 1]!.severity) expect(rows[i]!.connections, by).toBeLessThanOrEqual(rows[i - 1]!.connections);
      }
    }
  });

  it('one row per (root cause, server) by default; --group-by cause merges the servers', () => {
    const byServer = grouped('server').filter((r) => r.cause === 'client-cert-empty');
    const empty = result.connections.filter((c) => rootCause(c)?.id === 'client-cert-empty');
    expect(empty.length).toBe(5);
    expect(byServer.map((r) => r.where).sort()).toEqual(
      empty.map((c) => `${c.server.ip}:${c.server.port}${c.sni !== null ? ` SNI ${c.sni}` : ''}`).sort(),
    );
    const byCause = grouped('cause').find((r) => r.cause === 'client-cert-empty')!;
    expect(byCause).toMatchObject({ connections: 5, clients: 1, where: null });
    expect(byCause.firstTime).toBe(empty.map((c) => c.startTime).sort()[0]);
    expect(byCause.lastTime).toBe(empty.map((c) => c.endTime).sort().at(-1));
    expect(empty.map((c) => c.index)).toContain(byCause.example.index);
    const issuer = grouped('cause').find((r) => r.cause === 'client-cert-issuer-not-accepted')!;
    expect(issuer.clientCertificates).toEqual(['CN=tlsdiag Test Client from Other Root,O=Other Org ← CN=Other Root CA,O=Other Org']);
  });
});

describe('the text summary', () => {
  it('lists the groups, --group-by changes them, and each connection shows its time', async () => {
    const text = (await runCli('captures/mtls', '--quiet', '--workers', '1', '--no-color', '--limit', '1')).stdout;
    expect(text).toContain('  problems by root cause and server (errors first):');
    expect(text).toMatch(/^ +1 × ERROR client-cert-empty at 127\.0\.0\.1:22020: 1 client, 2026-11-22T15:33:01\.\d+Z … /m);
    expect(text).toMatch(/^(?:FAILED|REJECTED) .*\(2026-11-22T\d\d:\d\d:\d\d\.\d+Z, frames \d+-\d+, captures\/mtls\/[^)]+\)$/m);
    const byCause = (await runCli('captures/mtls', '--quiet', '--workers', '1', '--no-color', '--group-by', 'cause')).stdout;
    expect(byCause).toContain('  problems by root cause (errors first):');
    expect(byCause).toMatch(/^ +5 × ERROR client-cert-empty: 1 client, /m);
    expect((await runCli('captures/mtls', '--group-by', 'port')).code).toBe(2);
  });
});

describe('the markdown and HTML summaries', () => {
  it('have the same problem rows as the text summary, in the same order', async () => {
    const args = ['captures/mtls', '--quiet', '--workers', '1', '--no-color', '--group-by', 'cause'];
    const text = (await runCli(...args)).stdout;
    const markdown = (await runCli(...args, '--format', 'markdown')).stdout;
    const fromText = [...text.matchAll(/^ +(\d+) × (?:ERROR|WARNING) ([a-z0-9-]+):/gm)].map((m) => [Number(m[1]), m[2]]);
    const fromMarkdown = [...markdown.matchAll(/^\| (\d+) \| (?:error|warning) \| `([a-z0-9-]+)` \|/gm)].map((m) => [Number(m[1]), m[2]]);
    expect(fromText.length).toBeGreaterThan(5);
    expect(fromMarkdown).toEqual(fromText);
    expect(fromMarkdown[0]).toEqual([5, 'client-cert-empty']);
    const html = (await runCli(...args, '--format', 'html')).stdout;
    const fromHtml = [...html.matchAll(/<tr><td>(\d+)<\/td><td>(?:error|warning)<\/td><td><code>([a-z0-9-]+)<\/code>/g)].map((m) => [Number(m[1]), m[2]]);
    expect(fromHtml).toEqual(fromText);
  });
});

describe('counts that agree across formats', () => {
  it('text, markdown and HTML leave out the same number of connections, and add up to the JSON document', async () => {
    for (const extra of [[], ['--all']]) {
      const args = ['captures/mtls', 'captures/server', '--quiet', '--workers', '1', '--limit', '3', ...extra];
      const total = JSON.parse((await runCli(...args, '--json')).stdout).connections.length as number;
      const counts = [];
      for (const format of ['text', 'markdown', 'html']) {
        const out = (await runCli(...args, '--format', format)).stdout;
        const more = Number(/(\d+) more connections not shown/.exec(out)?.[1] ?? 0);
        const successful = Number(/(\d+) successful (?:connections? )?not shown/.exec(out)?.[1] ?? 0);
        counts.push([more, successful]);
        expect(3 + more + successful, `${format} ${extra.join(' ')}`).toBe(total);
      }
      expect(counts[1], `markdown ${extra.join(' ')}`).toEqual(counts[0]);
      expect(counts[2], `html ${extra.join(' ')}`).toEqual(counts[0]);
    }
  });
});

describe('the text footer of a folder of captures', () => {
  it('counts the captures instead of one line naming each, and names the unreadable ones', async () => {
    const run = await runCli('captures/mtls', 'missing.pcap', '--quiet', '--workers', '1', '--limit', '0', '--no-color');
    const footer = run.stdout.trimEnd().split('\n').at(-1)!;
    expect(footer).toMatch(/^22 captures \(21 pcap; \d+ frames; 1 unreadable: missing\.pcap\): 21 TLS connections, \d+ failed/);
    expect(footer.length).toBeLessThan(200);
  });
});

describe('the connections in detail', () => {
  it('show one example of each group before any repeat, in text, markdown and HTML', async () => {
    const args = ['captures/mtls', '--quiet', '--workers', '1', '--no-color', '--group-by', 'cause', '--limit', '4'];
    const causes = (await runCli(...args)).stdout
      .split('\n')
      .filter((_line, i, all) => /^(FAILED|REJECTED) /.test(all[i - 1] ?? ''))
      .map((l) => /(?:ERROR|WARNING) ([a-z0-9-]+):/.exec(l)?.[1]);
    expect(causes).toHaveLength(4);
    expect(new Set(causes).size).toBe(4);
    const markdown = (await runCli(...args, '--format', 'markdown')).stdout;
    const mdCauses = [...markdown.matchAll(/^\*\*Root cause\*\* \(`([a-z0-9-]+)`/gm)].map((m) => m[1]);
    expect(mdCauses).toHaveLength(4);
    expect(new Set(mdCauses).size).toBe(4);
    const html = (await runCli(...args, '--format', 'html')).stdout;
    const htmlCauses = [...html.matchAll(/Root cause<\/b> <code>([a-z0-9-]+)<\/code>/g)].map((m) => m[1]);
    expect(htmlCauses).toEqual(mdCauses);
  });
});

describe('markdown and HTML from a stream of connections', () => {
  it('print what the whole-result renderers print, holding at most three times --limit connections', async () => {
    const { MarkdownReport, renderMarkdown } = await import('../../src/report/markdown.js');
    const { HtmlReport, renderHtml } = await import('../../src/report/html.js');
    const { ReportCollector } = await import('../../src/report/collect.js');
    const options = { all: false, limit: 3, groupBy: 'server' as const };
    for (const [Report, render] of [
      [MarkdownReport, renderMarkdown],
      [HtmlReport, renderHtml],
    ] as const) {
      const report = new Report(options);
      for (const c of result.connections) report.add(c);
      expect(report.render(result)).toBe(render(result, options));
    }
    // 20 000 connections (the corpus over and over): the collector keeps only what it prints.
    const collector = new ReportCollector(options);
    for (let i = 0; i < 20_000; i++) collector.add({ ...result.connections[i % result.connections.length]!, index: i });
    const kept = collector as unknown as { examples: unknown[]; repeats: unknown[]; others: unknown[] };
    expect(kept.examples.length + kept.repeats.length + kept.others.length).toBeLessThanOrEqual(9);
    expect(collector.total).toBe(20_000);
    expect(collector.notShown() + collector.hidden() + collector.shown().length).toBe(20_000);
    // Through the CLI (streamed) the markdown is that of the whole result.
    const md = (await runCli('captures/mtls', '--quiet', '--workers', '1', '--format', 'markdown', '--limit', '3')).stdout;
    expect(md).toBe(renderMarkdown({ ...result }, options));
  });
});
