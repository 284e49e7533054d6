// Exit codes and library results CI can trust: an unreadable input, a missing key log or an output that
// cannot be written never passes for a clean run.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze, analyzeConnections, CaptureInputError } from '../../src/index.js';
import { runCli } from './run.js';
import { tempDir } from '../temp-dir.js';
import { REPO_ROOT as ROOT } from '../repo.js';

const JAVA = 'captures/mtls/java-tls12-other-root-keystore-s-server.pcap';
const VALID = 'captures/mtls/nginx-tls13-valid-client-cert.pcap';

describe('unreadable inputs', () => {
  it('exit 2 after the others were analysed, each named once on standard error', async () => {
    for (const format of ['text', 'json', 'markdown']) {
      const run = await runCli(VALID, 'missing.pcap', '--quiet', '--format', format);
      expect(run.code, format).toBe(2);
      expect(run.stdout, format).toContain('nginx-tls13-valid-client-cert.pcap');
      expect(run.stderr.trim().split('\n'), format).toEqual([expect.stringMatching(/^tlsdiag: missing\.pcap: cannot read the capture: ENOENT/)]);
      // The text report (often on the same terminal) names it unreadable without repeating the reason.
      if (format === 'text') expect(run.stdout).not.toContain('ENOENT');
    }
    const notes = join(tempDir('tlsdiag-honest-'), 'notes.pcap');
    writeFileSync(notes, 'not a capture\n');
    const run = await runCli(VALID, notes, '--quiet');
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/notes\.pcap: expected a pcap or pcapng magic number/)]);
  });

  it('analyze() and analyzeConnections() reject with CaptureInputError: missing path, not a capture', async () => {
    const dir = tempDir('tlsdiag-honest-');
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello\n');
    const empty = join(dir, 'empty.pcap');
    writeFileSync(empty, '');
    const cases: Array<[string | string[], string, string]> = [
      ['typo.pcap', 'ENOENT', 'typo.pcap'],
      [[VALID, 'typo.pcap'], 'ENOENT', 'typo.pcap'],
      [text, 'not-a-capture', text],
      [empty, 'not-a-capture', empty],
      [dir, 'EISDIR', dir],
    ];
    for (const [input, code, path] of cases) {
      const error = await analyze(input).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, String(input)).toBeInstanceOf(CaptureInputError);
      expect(error).toMatchObject({ code, path, name: 'CaptureInputError' });
      await expect(analyze(input, { workers: 2 }), `${input} with workers`).rejects.toBeInstanceOf(CaptureInputError);
      const stream = analyzeConnections(input);
      await expect((async () => {
        for await (const c of stream) void c;
      })()).rejects.toMatchObject({ code, path });
    }
    // A real capture still resolves, '-' (standard input) is not checked up front.
    expect((await analyze(VALID)).connections).toHaveLength(1);
  });
});

describe('--fail-on none', () => {
  it('exits 0 whatever the findings, 2 still for unreadable input', async () => {
    expect((await runCli(JAVA, '--quiet')).code).toBe(1);
    expect((await runCli(JAVA, '--quiet', '--fail-on', 'none')).code).toBe(0);
    expect((await runCli(JAVA, '--quiet', '--fail-on', 'none', '--json')).code).toBe(0);
    expect((await runCli(JAVA, 'missing.pcap', '--quiet', '--fail-on', 'none')).code).toBe(2);
  });
});

describe('baseline and check with key logs', () => {
  const name = 'nginx-tls13-other-root-client-cert';

  it('baseline -o writes key log paths relative to the expectation file; check finds them from anywhere', async () => {
    const dir = tempDir('tlsdiag-baseline-');
    mkdirSync(join(dir, 'expect'));
    const out = join(dir, 'expect', 'e.json');
    const run = await runCli('baseline', `captures/mtls/${name}.pcap`, '--keylog', `captures/mtls/${name}.keys.log`, '-o', out, '--quiet');
    expect(run.code).toBe(0);
    const file = JSON.parse(readFileSync(out, 'utf8'));
    expect(file.keyLogs).toEqual([relative(join(dir, 'expect'), join(ROOT, 'captures/mtls', `${name}.keys.log`))]);
    expect(isAbsolute(file.keyLogs[0])).toBe(false);
    expect(existsSync(join(dir, 'expect', file.keyLogs[0]))).toBe(true);
    // Copied together with its key log, the expectation still holds.
    const moved = tempDir('tlsdiag-moved-');
    copyFileSync(`captures/mtls/${name}.keys.log`, join(moved, `${name}.keys.log`));
    writeFileSync(join(moved, 'e.json'), JSON.stringify({ ...file, keyLogs: [`${name}.keys.log`] }));
    const check = await runCli('check', `captures/mtls/${name}.pcap`, '--expect', join(moved, 'e.json'), '--quiet');
    expect(check.stdout).toContain('as expected');
    expect(check.code).toBe(0);
  });

  it('check fails with "key log not found" when one is gone, instead of a misleading diff', async () => {
    const dir = tempDir('tlsdiag-check-');
    const base = JSON.parse((await runCli('baseline', `captures/mtls/${name}.pcap`, '--keylog', `captures/mtls/${name}.keys.log`, '--quiet')).stdout);
    base.keyLogs = ['gone.keys.log'];
    writeFileSync(join(dir, 'e.json'), JSON.stringify(base));
    const run = await runCli('check', `captures/mtls/${name}.pcap`, '--expect', join(dir, 'e.json'), '--quiet');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`tlsdiag: key log not found: ${join(dir, 'gone.keys.log')} (named in ${join(dir, 'e.json')})\n`);
    expect(run.stdout).toBe('');
  });
});

/** The built command (dist/), run as a user runs it: output to a real file, device or pipe. */
describe('an output that cannot be written', () => {
  beforeAll(() => {
    spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'ignore' });
  });
  const cli = (args: string[], stdout: 'pipe' | number = 'pipe') =>
    spawnSync(process.execPath, ['bin/tlsdiag.js', '--quiet', ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', stdout, 'pipe'] });

  it('-o into a missing folder or onto a folder: exit 2, one line', () => {
    for (const [args, line] of [
      [['-o', '/nonexistent/r.txt'], 'tlsdiag: cannot write to /nonexistent/r.txt: ENOENT'],
      [['-o', '/tmp'], 'tlsdiag: cannot write to /tmp: EISDIR'],
      [['--format', 'html', '-o', '/tmp'], 'tlsdiag: cannot write to /tmp: EISDIR'],
      [['--json', '-o', '/nonexistent/r.json'], 'tlsdiag: cannot write to /nonexistent/r.json: ENOENT'],
    ] as const) {
      const run = cli([JAVA, ...args]);
      expect(run.stderr, args.join(' ')).toBe(`${line}\n`);
      expect(run.status).toBe(2);
    }
  });

  it.runIf(existsSync('/dev/full'))('a full disk (> /dev/full): exit 2, one line', () => {
    for (const format of ['text', 'json', 'markdown']) {
      const full = openSync('/dev/full', 'w');
      const run = cli([JAVA, '--format', format], full);
      expect(run.stderr, format).toBe('tlsdiag: cannot write to standard output: ENOSPC\n');
      expect(run.status).toBe(2);
      closeSync(full);
    }
  });

  it('a reader that leaves (| head -c 50): ends quietly, no stack trace', async () => {
    for (const args of [['--json', '--all', 'captures'], ['--all', '--limit', '1000', 'captures'], ['--format', 'markdown', '--all', 'captures/mtls']]) {
      const child = spawn(process.execPath, ['bin/tlsdiag.js', '--quiet', '--workers', '1', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      let got = 0;
      child.stdout.on('data', (b: Buffer) => {
        got += b.length;
        if (got >= 50) child.stdout.destroy();
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(stderr, args.join(' ')).toBe('');
      expect([0, 1], args.join(' ')).toContain(code);
    }
  });
});
