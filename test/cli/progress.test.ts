import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatProgress, ProgressLine, wantsProgress, PROGRESS_MIN_BYTES } from '../../src/cli/progress.js';
import { REPO_ROOT as root } from '../repo.js';

const PROGRESS_TEXT = /tlsdiag: [\d.,]+ of [\d.,]+ MB \(\d+%\) · [\d.,—]+ MB\/s · [\d,]+ connections?/;

describe('formatProgress', () => {
  it('says bytes of total, rate, connections and the time left', () => {
    const line = formatProgress({ bytesRead: 250e6, totalBytes: 1000e6, elapsedMs: 500, connections: 1234 });
    expect(line).toBe('250 of 1,000 MB (25%) · 500 MB/s · 1,234 connections · ETA 2 s');
  });

  it('has no total and no ETA for standard input', () => {
    expect(formatProgress({ bytesRead: 5e6, totalBytes: null, elapsedMs: 1000, connections: 1 })).toBe('5 MB · 5 MB/s · 1 connection');
  });

  it('shows only a person at a terminal a run long enough to need it', () => {
    expect(wantsProgress({ quiet: false, stderrIsTTY: true, totalBytes: PROGRESS_MIN_BYTES })).toBe(true);
    expect(wantsProgress({ quiet: false, stderrIsTTY: true, totalBytes: PROGRESS_MIN_BYTES - 1 })).toBe(false);
    expect(wantsProgress({ quiet: true, stderrIsTTY: true, totalBytes: 1e9 })).toBe(false);
    expect(wantsProgress({ quiet: false, stderrIsTTY: false, totalBytes: 1e9 })).toBe(false);
  });

  it('sums files read side by side, redraws at most every 200 ms and erases itself', () => {
    let now = 0;
    const written: string[] = [];
    const line = new ProgressLine({ write: (t: string) => written.push(t) }, 400e6, () => now);
    now = 1000;
    line.update({ file: 'a', bytesRead: 100e6, connections: 10 });
    now = 1100;
    line.update({ file: 'b', bytesRead: 100e6, connections: 5 }); // too soon: not drawn
    now = 1300;
    line.update({ file: 'a', bytesRead: 150e6, connections: 12 });
    line.finish();
    expect(written).toHaveLength(3);
    expect(written[0]).toContain('100 of 400 MB (25%)');
    expect(written[1]).toContain('250 of 400 MB (62%)');
    expect(written[1]).toContain('17 connections');
    expect(written[2]).toBe('\r\u001b[K');
  });
});

describe('progress line on a pseudo-terminal (script(1))', () => {
  let dir: string;
  let capture: string;

  beforeAll(() => {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'ignore' });
    dir = mkdtempSync(join(tmpdir(), 'tlsdiag-progress-'));
    capture = join(dir, 'handshakes.pcap');
    // Corpus handshakes multiplied to ~12 MB (bench/stream-data.js): enough to need a progress line.
    execFileSync('sh', ['-c', `node bench/stream-data.js handshake 12000000 > ${capture}`], { cwd: root });
    expect(statSync(capture).size).toBeGreaterThan(PROGRESS_MIN_BYTES);
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs tlsdiag under script(1): stderr is the pseudo-terminal (script's output), stdout goes to a file. */
  function onTerminal(args: string): { terminal: string; stdout: string } {
    const out = join(dir, 'stdout.txt');
    const r = spawnSync('script', ['-qec', `node bin/tlsdiag.js ${args} > ${out}`, '/dev/null'], { cwd: root, encoding: 'utf8' });
    return { terminal: r.stdout, stdout: readFileSync(out, 'utf8') };
  }

  it('draws the line on stderr, never on stdout, and erases it', () => {
    const { terminal, stdout } = onTerminal(`--json ${capture}`);
    expect(terminal).toMatch(PROGRESS_TEXT);
    expect(terminal.endsWith('\r\u001b[K')).toBe(true);
    expect(stdout).not.toContain('MB/s');
    const report = JSON.parse(stdout) as { connections: unknown[] };
    expect(report.connections.length).toBeGreaterThan(100);
  }, 120_000);

  it('is off with --quiet', () => {
    const { terminal } = onTerminal(`--quiet --json ${capture}`);
    expect(terminal).not.toContain('MB/s');
  }, 120_000);

  it('is off when stderr is not a terminal', () => {
    const r = spawnSync('node', ['bin/tlsdiag.js', '--json', capture], { cwd: root, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    expect(r.stderr).not.toContain('MB/s');
    expect(r.stdout).not.toContain('MB/s');
  }, 120_000);
});
