import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { readCapture, type CaptureWarning } from '../../src/capture/index.js';
import { DSB_TLS_KEY_LOG } from '../../src/tls/decrypt/index.js';
import { tempDir } from '../temp-dir.js';
import { concat, decryptionSecrets, enhancedPacket, interfaceDescription, pcapOf, sectionHeader, SYN, tcpPacket } from './craft.js';

// gzip with bytes after the last member (issue 17: the last ≤ 256 KiB decoded were lost, a small file gave
// 0 frames and exit 2), and paths that cannot seek (`<(cat x.pcap)`, /dev/stdin from a pipe: ESPIPE).

const dir = tempDir('tlsdiag-gzip-');
const FRAMES = 3000;
const capture = pcapOf(Array.from({ length: FRAMES }, (_, i) => tcpPacket({ src: 0x0a000001, dst: 0x0a000002, srcPort: 1024 + i, dstPort: 443, seq: i, flags: SYN })));

async function read(input: string | Uint8Array | NodeJS.ReadableStream) {
  const warnings: CaptureWarning[] = [];
  let frames = 0;
  const summary = await readCapture(input, { frame: () => void frames++, warning: (w) => void warnings.push(w) });
  return { summary, frames, warnings };
}

function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('gzip with trailing garbage', () => {
  const garbage = new TextEncoder().encode('this is not gzip\n');
  const gz = concat([gzipSync(capture), garbage]);

  it.each([
    ['bytes', () => gz],
    ['a file', () => file('garbage.pcap.gz', gz)],
    ['a stream', () => Readable.from([gz.subarray(0, 100), gz.subarray(100)])],
  ])('from %s: every frame is read, one warning, no error', async (_kind, input) => {
    const { summary, frames, warnings } = await read(input());
    expect(summary.error).toBeNull();
    expect(summary.compressed).toBe(true);
    expect(frames).toBe(FRAMES);
    expect(summary.bytesRead).toBe(capture.length);
    expect(warnings.map((w) => w.code)).toEqual(['gzip-trailing-garbage']);
    expect(warnings[0]!.message).toContain(`from compressed offset ${gz.length - garbage.length}`);
  });

  it('a small file of one frame (before: 0 frames)', async () => {
    const one = capture.subarray(0, 24 + 16 + 40);
    const { summary, frames } = await read(concat([gzipSync(one), Uint8Array.of(0x1f, 0x8b, 1, 2, 3)]));
    expect(summary.error).toBeNull();
    expect(frames).toBe(1);
  });

  it('several members are one stream; zero padding after them is no garbage', async () => {
    const half = 24 + 1500 * 56;
    const { summary, frames, warnings } = await read(concat([gzipSync(capture.subarray(0, half)), gzipSync(capture.subarray(half)), new Uint8Array(1000)]));
    expect(summary.error).toBeNull();
    expect(frames).toBe(FRAMES);
    expect(warnings).toEqual([]);
  });

  it('a truncated or corrupt member is still an error, after the frames before it', async () => {
    const whole = gzipSync(capture);
    const cut = await read(whole.subarray(0, whole.length - 100));
    expect(cut.summary.error?.code).toBe('gzip-error');
    expect(cut.frames).toBeGreaterThan(0);
    const badCrc = Uint8Array.from(whole);
    badCrc[badCrc.length - 8]! ^= 0xff;
    const corrupt = await read(badCrc);
    expect(corrupt.summary.error?.message).toContain('fails its CRC-32 or length check');
    expect(corrupt.frames).toBe(FRAMES);
  });
});

describe('paths that cannot seek', () => {
  /** Runs `work(<path>)` on a FIFO fed by `cat`, as a shell's `<(cat x)` gives. */
  async function throughPipe<T>(bytes: Uint8Array, work: (path: string) => Promise<T>): Promise<T> {
    const source = file(`source-${bytes.length}`, bytes);
    const fifo = join(dir, `fifo-${bytes.length}`);
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = spawn('sh', ['-c', `cat "${source}" > "${fifo}"`]);
    const exited = new Promise((resolve) => writer.on('exit', resolve));
    const result = await work(fifo);
    await exited;
    return result;
  }

  it.each([
    ['a pcap', capture],
    ['a gzip\'d pcap', gzipSync(capture)],
  ])('%s through a FIFO reads like the file', async (_kind, bytes) => {
    const { summary, frames } = await throughPipe(bytes, read);
    expect(summary.error).toBeNull();
    expect(frames).toBe(FRAMES);
  });

  it('analyze() skips the pre-scan for secrets on a pipe, and says so when a secrets block comes after frames', async () => {
    const line = `CLIENT_RANDOM ${'11'.repeat(32)} ${'22'.repeat(48)}\n`;
    const pcapng = concat([sectionHeader(), interfaceDescription(), enhancedPacket(0, capture.subarray(24 + 16, 24 + 16 + 40)), decryptionSecrets(DSB_TLS_KEY_LOG, new TextEncoder().encode(line))]);
    const piped = await throughPipe(pcapng, (path) => analyze(path));
    expect(piped.files[0]!.error).toBeNull();
    expect(piped.files[0]!.frames).toBe(1);
    expect(piped.warnings.map((w) => w.code)).toEqual(['late-secrets-unseekable']);
    const asFile = await analyze(file('late-secrets.pcapng', pcapng));
    expect(asFile.warnings).toEqual([]);
  });
});
