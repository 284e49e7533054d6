// Command-line habits: --version, one-line option errors, filters that read as they are written, colour
// switches, and nothing from a file name or a capture that can rewrite the terminal.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseFilter } from '../../src/cli/filter.js';
import { wantsColor } from '../../src/cli/main.js';
import type { ConnectionReport } from '../../src/model/types.js';
import { runCli } from './run.js';
import { tempDir } from '../temp-dir.js';

const MTLS = 'captures/mtls';
const JAVA = 'captures/mtls/java-tls12-other-root-keystore-s-server.pcap';

interface Row {
  server: { port: number };
  sni: string | null;
  findings: Array<{ id: string; severity: string }>;
}

async function kept(...filters: string[]): Promise<Row[]> {
  const run = await runCli('--json', '--all', '--quiet', '--workers', '1', MTLS, ...filters.flatMap((f) => ['--filter', f]));
  expect(run.code, run.stderr).toBeLessThan(2);
  return JSON.parse(run.stdout).connections as Row[];
}

const ports = (rows: Row[]) => rows.map((r) => r.server.port).sort();

describe('--version and option errors', () => {
  it('--version prints the package version', async () => {
    const run = await runCli('--version');
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  it('an option error is one line pointing at --help, not the whole help', async () => {
    for (const args of [['--bogus', JAVA], ['--limit', 'x', JAVA], ['--format', 'yaml', JAVA], ['--filter', 'colour=red', JAVA], ['check', JAVA]]) {
      const run = await runCli(...args);
      expect(run.code, args.join(' ')).toBe(2);
      const lines = run.stderr.trim().split('\n');
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0]).toMatch(/^tlsdiag: .+ \(see tlsdiag --help\)$/);
      expect(run.stderr + run.stdout).not.toContain('Usage:');
    }
  });
});

describe('--filter', () => {
  it('ANDs different keys and ORs terms of one key', async () => {
    const all = await kept();
    expect(all.length).toBeGreaterThan(10);
    expect(ports(await kept('port=22020', 'port=22021'))).toEqual([22020, 22021]);
    // 22020 and 22021 carry no SNI: with sni=localhost as well nothing is left (the old OR kept 20).
    expect(await kept('port=22020', 'sni=localhost')).toEqual([]);
    expect(ports(await kept('port=22003', 'port=22020', 'sni=localhost'))).toEqual([22003]);
  });

  it('takes CIDR ranges for host=', async () => {
    const all = await kept();
    expect(await kept('host=127.0.0.0/8')).toHaveLength(all.length);
    expect(await kept('host=10.0.0.0/8')).toEqual([]);
    expect(await kept('host=127.0.0.1')).toHaveLength(all.length);
    const v6 = { client: { ip: 'fd00::5', port: 40000 }, server: { ip: '2001:db8::1', port: 443 }, sni: null } as ConnectionReport;
    expect(parseFilter(['host=fd00::/8'])(v6)).toBe(true);
    expect(parseFilter(['host=2001:db8::/32'])(v6)).toBe(true);
    expect(parseFilter(['host=2001:db9::/32'])(v6)).toBe(false);
    expect(parseFilter(['host=10.0.0.0/8'])(v6)).toBe(false);
    expect(() => parseFilter(['host=10.0.0.0/40'])).toThrow('expected an address or a CIDR range');
  });

  it('by finding id, severity and time', async () => {
    const all = await kept();
    const empty = await kept('finding=client-cert-empty');
    expect(empty.length).toBe(all.filter((r) => r.findings.some((f) => f.id === 'client-cert-empty')).length);
    expect(empty.length).toBeGreaterThan(1);
    const warnings = await kept('severity=warning');
    expect(warnings.length).toBe(all.filter((r) => r.findings.some((f) => f.severity === 'warning')).length);
    expect(warnings.length).toBeGreaterThan(0);
    expect(ports(await kept('severity=warning', 'finding=client-cert-empty'))).toEqual([]);
    // The mtls captures were recorded between 15:32:46 and 15:33:13 on 2026-11-22.
    expect(await kept('since=2026-11-22T15:34:00Z')).toEqual([]);
    expect(await kept('until=2026-11-22T15:32:00Z')).toEqual([]);
    const window = await kept('since=2026-11-22T15:33:00Z', 'until=2026-11-22T15:33:04Z');
    expect(ports(window)).toEqual([22020, 22021]);
    const rejected = await kept('outcome=rejected');
    expect(rejected.length).toBe(all.filter((r) => (r as Row & { outcome: string }).outcome === 'rejected').length);
    expect(rejected.length).toBeGreaterThan(0);
    for (const bad of ['outcome=fine', 'severity=fatal', 'finding=no-such-finding', 'since=yesterday', 'port=70000']) {
      expect(() => parseFilter([bad]), bad).toThrow(`--filter ${bad}: expected`);
    }
  });
});

describe('colour', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('FORCE_COLOR forces it on a pipe; NO_COLOR and --no-color turn it off', async () => {
    expect(wantsColor(undefined, undefined, false, { FORCE_COLOR: '1' })).toBe(true);
    expect(wantsColor(undefined, undefined, false, { FORCE_COLOR: '0' })).toBe(false);
    expect(wantsColor(undefined, undefined, true, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColor(undefined, undefined, true, {})).toBe(true);
    expect(wantsColor(false, undefined, true, { FORCE_COLOR: '1' })).toBe(false);
    expect(wantsColor(undefined, 'report.txt', true, { FORCE_COLOR: '1' })).toBe(false);
    vi.stubEnv('FORCE_COLOR', '1');
    expect((await runCli(JAVA, '--quiet')).stdout).toMatch(/\x1b\[31m/);
    expect((await runCli(JAVA, '--quiet', '--no-color')).stdout).not.toContain('\x1b[');
    vi.stubEnv('FORCE_COLOR', undefined as unknown as string);
    vi.stubEnv('NO_COLOR', '1');
    expect((await runCli(JAVA, '--quiet')).stdout).not.toContain('\x1b[');
  });
});

describe('what is echoed to a terminal', () => {
  it('shows control characters in file names escaped, on standard output and standard error', async () => {
    const dir = tempDir('tlsdiag-names-');
    const hostile = join(dir, 'a\x1b[2J\x1b]0;owned\x07b\nc.pcap');
    copyFileSync(JAVA, hostile);
    const missing = join(dir, 'gone\x1b[31m.pcap');
    const notCapture = join(dir, 'n\rotes.pcap');
    writeFileSync(notCapture, 'hello');
    const run = await runCli(hostile, missing, notCapture, '--quiet', '--no-color');
    expect(run.code).toBe(2);
    for (const [where, text] of [['stdout', run.stdout], ['stderr', run.stderr]] as const) {
      expect(text, where).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
    }
    expect(run.stdout).toContain('a\\x1b[2J\\x1b]0;owned\\x07b\\x0ac.pcap (pcap, 14 frames)');
    expect(run.stderr).toContain('gone\\x1b[31m.pcap');
    expect(run.stderr).toContain('n\\x0dotes.pcap');
  });
});
