import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_PACKET_LENGTH } from '../../src/capture/index.js';
import { FORMATS_DIR, readAll, type FrameRecord, type ReadResult } from './helpers.js';
import { PcapngBuilder, concat, pcapHeader, pcapRecord, u32 } from './fixtures.js';

let packets: FrameRecord[] = [];
let dir = '';

beforeAll(async () => {
  packets = (await readAll(join(FORMATS_DIR, 'pcap-us.pcap'))).frames;
  dir = mkdtempSync(join(tmpdir(), 'tlsdiag-malformed-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
/** Reads the bytes three ways — in memory, from a file, from a stream of 7-byte chunks — which must agree. */
async function readEveryWay(bytes: Uint8Array): Promise<ReadResult> {
  const file = join(dir, `f${fileCount++}`);
  writeFileSync(file, bytes);
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
  const results = [await readAll(bytes), await readAll(file), await readAll(Readable.from(chunks))];
  for (const r of results.slice(1)) {
    // How far zlib gets into a broken stream depends on how its input was split.
    if (r.summary.compressed) {
      expect(r.summary.error?.code).toEqual(results[0]!.summary.error?.code);
      continue;
    }
    expect(r.summary.error).toEqual(results[0]!.summary.error);
    expect(r.frames).toEqual(results[0]!.frames);
  }
  return results[0]!;
}

function expectError(result: ReadResult, code: string, offset: number, frames: number): void {
  expect(result.summary.error).toMatchObject({ code, offset });
  expect(result.summary.error!.message).toContain(String(offset));
  expect(result.summary.frames).toBe(frames);
  expect(result.frames.length).toBe(frames);
}

const ng = new PcapngBuilder(true);
const ngSection = (): Uint8Array => concat(ng.shb(), ng.idb(1));

describe('not a capture', () => {
  it('reports an empty input', async () => {
    expectError(await readEveryWay(new Uint8Array(0)), 'empty', 0, 0);
  });

  it('names the first bytes of a text file', async () => {
    const r = await readEveryWay(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: example\r\n\r\n'));
    expectError(r, 'not-a-capture', 0, 0);
    expect(r.summary.error!.message).toContain('47 45 54 20');
    expect(r.summary.error!.message).toContain("'GET / HT'");
  });

  it('tells a few bytes of a pcap magic from a non-capture', async () => {
    expectError(await readEveryWay(Uint8Array.of(0xd4, 0xc3)), 'truncated-header', 0, 0);
    expectError(await readEveryWay(Uint8Array.of(0x41, 0x42)), 'not-a-capture', 0, 0);
  });
});

describe('classic pcap', () => {
  it('reports a partial file header', async () => {
    expectError(await readEveryWay(pcapHeader().subarray(0, 10)), 'truncated-header', 0, 0);
  });

  it('reports a partial record header after delivering the frames before it', async () => {
    const good = pcapRecord(packets[0]!.bytes);
    const r = await readEveryWay(concat(pcapHeader(), good, new Uint8Array(7)));
    expectError(r, 'truncated-packet', 24 + good.length, 1);
    expect(r.frames[0]!.bytes).toEqual(packets[0]!.bytes);
  });

  it('reports a packet cut by the end of the file', async () => {
    const first = pcapRecord(packets[0]!.bytes);
    const second = pcapRecord(packets[1]!.bytes);
    const r = await readEveryWay(concat(pcapHeader(), first, second.subarray(0, second.length - 5)));
    expectError(r, 'truncated-packet', 24 + first.length, 1);
  });

  it('reports a packet length larger than the file', async () => {
    const bytes = concat(pcapHeader(), pcapRecord(packets[0]!.bytes), pcapRecord(packets[1]!.bytes, { capLen: 200_000 }));
    expectError(await readEveryWay(bytes), 'truncated-packet', 24 + 16 + packets[0]!.capturedLength, 1);
  });

  it('refuses a packet length above maxPacketLength without reading on', async () => {
    const offset = 24 + 16 + packets[0]!.capturedLength;
    for (const capLen of [DEFAULT_MAX_PACKET_LENGTH + 1, 0x7fffffff, 0xffffffff]) {
      const bytes = concat(pcapHeader(), pcapRecord(packets[0]!.bytes), pcapRecord(packets[1]!.bytes, { capLen }));
      const r = await readEveryWay(bytes);
      expectError(r, 'packet-too-large', offset, 1);
      expect(r.summary.error!.message).toContain(String(capLen));
    }
    const small = await readAll(concat(pcapHeader(), pcapRecord(packets[0]!.bytes)), { maxPacketLength: 40 });
    expectError(small, 'packet-too-large', 24, 0);
  });

  it('keeps captured and original lengths apart when the snaplen cut a packet', async () => {
    const cut = packets[0]!.bytes.subarray(0, 30);
    const r = await readEveryWay(concat(pcapHeader({ snaplen: 30 }), pcapRecord(cut, { origLen: packets[0]!.capturedLength })));
    expect(r.summary.error).toBeNull();
    expect(r.frames[0]).toMatchObject({ capturedLength: 30, originalLength: packets[0]!.capturedLength });
  });
});

describe('pcapng', () => {
  const epb = (i: number): Uint8Array => ng.epb(0, 1_700_000_000_000_000n, packets[i]!.bytes);

  it('reports a zero-length block', async () => {
    const head = concat(ngSection(), epb(0));
    expectError(await readEveryWay(concat(head, u32(6), u32(0), new Uint8Array(16))), 'bad-block-length', head.length, 1);
  });

  it('reports a block length that is not a multiple of 4', async () => {
    const head = concat(ngSection(), epb(0));
    const r = await readEveryWay(concat(head, u32(6), u32(45), new Uint8Array(48)));
    expectError(r, 'bad-block-length', head.length, 1);
    expect(r.summary.error!.message).toContain('multiple of 4');
  });

  it('reports a block too short for its type', async () => {
    const head = concat(ngSection(), epb(0));
    expectError(await readEveryWay(concat(head, ng.block(6, new Uint8Array(4)))), 'bad-block-length', head.length, 1);
  });

  it('reports a trailing length that differs from the leading one', async () => {
    const head = concat(ngSection(), epb(0));
    const bad = ng.block(0x0bad, new Uint8Array(8), { trailing: 24 });
    expectError(await readEveryWay(concat(head, bad, epb(1))), 'block-length-mismatch', head.length + bad.length - 4, 1);
  });

  it('refuses a huge block length before buffering for it', async () => {
    const head = concat(ngSection(), epb(0));
    for (const length of [0x80000000, 0xfffffffc, 64 * 1024 * 1024]) {
      const r = await readEveryWay(concat(head, u32(0x0bad), u32(length), new Uint8Array(64)));
      expectError(r, 'block-too-large', head.length, 1);
    }
  });

  it('refuses an Enhanced Packet Block whose captured length exceeds the limit or the block', async () => {
    const head = concat(ngSection(), epb(0));
    const tooLarge = ng.epb(0, 0n, packets[1]!.bytes, { capLen: 0x7fffffff });
    expectError(await readEveryWay(concat(head, tooLarge)), 'packet-too-large', head.length, 1);
    const overruns = ng.epb(0, 0n, packets[1]!.bytes, { capLen: packets[1]!.capturedLength + 64 });
    expectError(await readEveryWay(concat(head, overruns)), 'bad-block-length', head.length, 1);
  });

  it('reports a block cut by the end of the file', async () => {
    const head = concat(ngSection(), epb(0));
    const next = epb(1);
    const r = await readEveryWay(concat(head, next.subarray(0, next.length - 9)));
    expectError(r, 'truncated-block', head.length, 1);
    expectError(await readEveryWay(concat(head, next.subarray(0, 5))), 'truncated-block', head.length, 1);
  });

  it('reports a packet on an interface the section did not describe', async () => {
    const head = concat(ngSection(), epb(0));
    expectError(await readEveryWay(concat(head, ng.epb(3, 0n, packets[1]!.bytes))), 'unknown-interface', head.length, 1);
    // Interface ids restart with each section.
    const second = concat(head, ng.shb());
    expectError(await readEveryWay(concat(second, epb(1))), 'unknown-interface', second.length, 1);
  });

  it('reports a section header with a bad byte-order magic', async () => {
    const shb = ng.shb();
    shb.set(u32(0x11223344), 8);
    expectError(await readEveryWay(shb), 'bad-section-header', 8, 0);
  });

  it('reports a Decryption Secrets Block that declares more than it holds', async () => {
    const head = concat(ngSection(), epb(0));
    const r = await readEveryWay(concat(head, ng.dsb(0x544c534b, new Uint8Array(8), 4096)));
    expectError(r, 'bad-block-length', head.length, 1);
    expect(r.secrets).toEqual([]);
  });

  it('reports a truncated gzip stream after delivering the frames it held', async () => {
    const plain = concat(ngSection(), ...packets.slice(0, 10).map((_p, i) => epb(i)));
    const gz = gzipSync(plain);
    const r = await readEveryWay(gz.subarray(0, gz.length - 12));
    expect(r.summary.compressed).toBe(true);
    expect(r.summary.error?.code).toMatch(/^(gzip-error|truncated-block)$/);
    expect(r.frames.length).toBeGreaterThan(0);
    expect(r.frames.length).toBeLessThan(10);
    const corrupt = Uint8Array.from(gz);
    corrupt[20] = corrupt[20]! ^ 0xff;
    corrupt[21] = corrupt[21]! ^ 0xff;
    const c = await readEveryWay(corrupt);
    expect(c.summary.error?.code).toBe('gzip-error');
  });
});
