import { closeSync, openSync, ftruncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_OPTION_FILE_BYTES, readBoundedFile } from '../../src/bounded-file.js';
import { runCli } from '../cli/run.js';
import { tempDir } from '../temp-dir.js';
import { pcapOf, SYN, tcpPacket } from './craft.js';
import { peakHeapGrowth } from './measure.js';

// Every file an option reads whole has a size limit (issue 17: `--ca /dev/zero` and `check --expect /dev/zero`
// read until the process died at 3.5 GB); --crl, --key and --psk-file too.

const dir = tempDir('tlsdiag-option-files-');
const capture = join(dir, 'one.pcap');
writeFileSync(capture, pcapOf([tcpPacket({ src: 0x0a000001, dst: 0x0a000002, srcPort: 40000, dstPort: 443, seq: 1, flags: SYN })]));
const limit = `${MAX_OPTION_FILE_BYTES / 1024 / 1024} MiB`;

/** A regular file one byte over the limit, sparse: no disk written, judged by its size before any read. */
function oversized(): string {
  const path = join(dir, 'huge.pem');
  const fd = openSync(path, 'w');
  ftruncateSync(fd, MAX_OPTION_FILE_BYTES + 1);
  closeSync(fd);
  return path;
}

describe(`files read by options: at most ${limit}`, () => {
  it.each(['--ca', '--server-ca', '--cert'])('%s /dev/zero stops at the limit with an error naming the file and the limit', async (option) => {
    const { value: run, peakMiB } = await peakHeapGrowth(() => runCli(capture, option, '/dev/zero'));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`/dev/zero is larger than the limit of ${limit}`);
    expect(peakMiB).toBeLessThan(3 * (MAX_OPTION_FILE_BYTES / 1024 / 1024));
  });

  it('--crl /dev/zero stops at the limit with an error naming the file and the limit', async () => {
    const { value: run, peakMiB } = await peakHeapGrowth(() => runCli(capture, '--crl', '/dev/zero'));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`/dev/zero is larger than the limit of ${limit}`);
    expect(peakMiB).toBeLessThan(3 * (MAX_OPTION_FILE_BYTES / 1024 / 1024));
  });

  it.each([
    ['--key', 'key-unreadable'],
    ['--psk-file', 'psk-unreadable'],
  ])('%s /dev/zero stops at the limit: a warning naming the file and the limit, the capture still analysed', async (option, code) => {
    const { value: run, peakMiB } = await peakHeapGrowth(() => runCli(capture, option, '/dev/zero', '--json'));
    expect(run.code).toBe(0);
    const warnings = (JSON.parse(run.stdout) as { warnings: { file: string; code: string; message: string }[] }).warnings;
    expect(warnings.filter((w) => w.code === code).map((w) => w.file)).toEqual(['/dev/zero']);
    expect(warnings.find((w) => w.code === code)!.message).toContain(`/dev/zero is larger than the limit of ${limit}`);
    expect(peakMiB).toBeLessThan(3 * (MAX_OPTION_FILE_BYTES / 1024 / 1024));
  });

  it('check --expect /dev/zero stops at the limit too', async () => {
    const run = await runCli('check', capture, '--expect', '/dev/zero');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`/dev/zero is larger than the limit of ${limit}`);
  });

  it('a regular file over the limit is refused by its size, before a byte is read', async () => {
    const path = oversized();
    const { value: run, peakMiB } = await peakHeapGrowth(() => runCli(capture, '--ca', path));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${path} is larger than the limit of ${limit}`);
    expect(peakMiB).toBeLessThan(32);
  });

  it('reads a file at the limit, and a pipe-like source up to it', () => {
    const path = join(dir, 'small.txt');
    writeFileSync(path, 'x'.repeat(1000));
    expect(readBoundedFile(path, 1000).length).toBe(1000);
    expect(() => readBoundedFile(path, 999)).toThrow(`${path} is larger than the limit of 999 bytes`);
    expect(() => readBoundedFile('/dev/zero', 5000)).toThrow('/dev/zero is larger than the limit of 5000 bytes');
  });
});
