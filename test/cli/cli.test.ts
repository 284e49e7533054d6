import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { expandInputs } from '../../src/cli/inputs.js';
import { runCli } from './run.js';
import { tempDir } from '../temp-dir.js';

const JAVA = 'captures/mtls/java-tls12-other-root-keystore-s-server.pcap';
const VALID = 'captures/mtls/nginx-tls13-valid-client-cert.pcap';

describe('text output', () => {
  it('puts the cause of a single failure in the first three lines: connection, finding, fix', async () => {
    const run = await runCli(JAVA, '--quiet');
    const [first, second, third] = run.stdout.split('\n');
    expect(first).toMatch(/^FAILED {2}127\.0\.0\.1:\d+ → 127\.0\.0\.1:22020/);
    expect(second).toMatch(/✗ ERROR client-cert-empty: /);
    expect(third).toMatch(/^ +Fix: /);
    expect(run.code).toBe(1);
  });

  it('summarises many connections by outcome and finding, then details at most --limit', async () => {
    const run = await runCli('captures/mtls', '--limit', '2', '--quiet', '--workers', '1');
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^\d+ TLS connections, \d+ failed$/);
    expect(lines[1]).toMatch(/^ {2}by outcome: failed \d+/);
    expect(lines[2]).toMatch(/^ {2}by finding: .*client-cert-empty \d+/);
    // Headlines by outcome: nginx's refusals after the handshake read REJECTED, aborted handshakes FAILED.
    expect(run.stdout.match(/^(FAILED|REJECTED) /gm)).toHaveLength(2);
    expect(run.stdout).toMatch(/\d+ more connections not shown \(--limit 2/);
  });
});

describe('exit codes', () => {
  it('0 when every handshake succeeded', async () => {
    const run = await runCli(VALID, '--keylog', VALID.replace('.pcap', '.keys.log'), '--quiet');
    expect(run.stdout).toMatch(/1 TLS connection, 0 failed/);
    expect(run.code).toBe(0);
  });

  it('1 at or above --fail-on, 0 below it', async () => {
    expect((await runCli(JAVA, '--quiet')).code).toBe(1);
    // TLS 1.1 negotiated: a warning, no error (the premise is checked, as the rules evolve).
    const tls11 = ['captures/server/tls11-success.pcap', '--keylog', 'captures/server/tls11-success.keys.log', '--quiet'];
    const severities = JSON.parse((await runCli(...tls11, '--json')).stdout).connections.flatMap(
      (c: { findings: Array<{ severity: string }> }) => c.findings.map((f) => f.severity),
    );
    expect(severities).toContain('warning');
    expect(severities).not.toContain('error');
    expect((await runCli(...tls11)).code).toBe(0);
    expect((await runCli(...tls11, '--fail-on', 'error')).code).toBe(0);
    expect((await runCli(...tls11, '--fail-on', 'warning')).code).toBe(1);
    expect((await runCli(...tls11, '--fail-on', 'info')).code).toBe(1);
  });

  it('2 on unreadable input, with the reason on standard error', async () => {
    const dir = tempDir('tlsdiag-cli-');
    writeFileSync(join(dir, 'notes.txt'), 'not a capture\n');
    const run = await runCli(join(dir, 'notes.txt'), '--quiet');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/notes\.txt: .*expected/);
    expect((await runCli(join(dir, 'missing.pcap'))).code).toBe(2);
    expect((await runCli(dir)).stderr).toContain('no capture found');
  });
});

describe('many inputs', () => {
  it('walks directories recursively and picks captures by their magic bytes, not their names', () => {
    const dir = tempDir('tlsdiag-inputs-');
    mkdirSync(join(dir, 'b', 'deeper'), { recursive: true });
    copyFileSync(JAVA, join(dir, 'b', 'deeper', 'capture.dmp'));
    copyFileSync('captures/formats/dumpcap-lo.pcapng', join(dir, 'a-no-extension'));
    writeFileSync(join(dir, 'zipped.bin'), gzipSync(readFileSync(VALID)));
    writeFileSync(join(dir, 'fake.pcap'), 'looks like a capture by name only');
    writeFileSync(join(dir, 'text.gz'), gzipSync('gzip, but not a capture'));
    expect(expandInputs([dir])).toEqual([join(dir, 'a-no-extension'), join(dir, 'b', 'deeper', 'capture.dmp'), join(dir, 'zipped.bin')]);
  });

  it('makes one report naming each connection’s file', async () => {
    const dir = tempDir('tlsdiag-many-');
    copyFileSync(JAVA, join(dir, 'one.cap'));
    copyFileSync('captures/mtls/node-tls12-no-client-cert.pcap', join(dir, 'two'));
    const run = await runCli('--json', dir, '--quiet', '--workers', '1');
    const result = JSON.parse(run.stdout);
    expect(result.files.map((f: { file: string }) => f.file)).toEqual([join(dir, 'one.cap'), join(dir, 'two')]);
    expect(result.connections.map((c: { file: string }) => c.file)).toEqual([join(dir, 'one.cap'), join(dir, 'two')]);
    const text = (await runCli(dir, '--quiet', '--workers', '1')).stdout;
    expect(text).toContain(`, ${join(dir, 'one.cap')})`);
    expect(text).toContain(`, ${join(dir, 'two')})`);
  });
});

describe('--format and -o', () => {
  it('writes markdown and html files; --redact leaves no address or host name in them', async () => {
    const dir = tempDir('tlsdiag-out-');
    for (const format of ['markdown', 'html']) {
      const out = join(dir, `report.${format}`);
      const run = await runCli(JAVA, '--format', format, '-o', out, '--redact', '--quiet');
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      const text = readFileSync(out, 'utf8');
      expect(text).toContain('client-cert-empty');
      expect(text).toContain('10.0.0.1');
      expect(text).not.toMatch(/127\.0\.0\.1|localhost/);
      expect(text).toContain('CN=tlsdiag Test Root CA,O=tlsdiag');
    }
  });
});
