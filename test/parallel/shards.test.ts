import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze as analyzeHere, analyzeConnections as streamHere } from '../../src/analyze.js';
import { randomKeyWords } from '../../src/tcp/tuple-hash.js';
// @ts-expect-error the bench's capture builder is plain JavaScript without types
import { buildCapture, corpusSources } from '../../bench/build-data.js';
import { REPO_ROOT as root } from '../repo.js';
import { tempDir } from '../temp-dir.js';

// One capture on several threads (src/parallel/shards.ts). The input is the bench's: every corpus handshake, in
// three copies on their own addresses, interleaved so that connections of every copy are open at the same time.
// Worker threads run compiled JavaScript: the pool is driven from dist/.
type Analyze = typeof import('../../src/analyze.js').analyze;
type AnalyzeConnections = typeof import('../../src/analyze.js').analyzeConnections;
let analyze: Analyze;
let analyzeConnections: AnalyzeConnections;
let capture: string;

const keyLogFiles = ['captures/mtls', 'captures/server'].flatMap((dir) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.keys.log'))
    .map((f) => join(root, dir, f)),
);

beforeAll(async () => {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'ignore' });
  const url = new URL(`file://${join(root, 'dist', 'analyze.js')}`).href;
  ({ analyze, analyzeConnections } = (await import(url)) as { analyze: Analyze; analyzeConnections: AnalyzeConnections });
  capture = join(tempDir('tlsdiag-shards-'), 'interleaved.pcap');
  const sources = corpusSources() as Array<{ packets: Array<{ data: Uint8Array }> }>;
  const roundBytes = sources.reduce((sum, s) => sum + s.packets.reduce((n, p) => n + p.data.length + 16, 0), 0);
  buildCapture(capture, sources, 2 * roundBytes + 1, { interleave: true });
}, 120_000);

describe('one capture shared by flow among threads', () => {
  it('each share holds whole connections, none twice, and together all of them', async () => {
    const key = Array.from(randomKeyWords());
    const all = await analyzeHere(capture, { keyLogFiles });
    const shares = [];
    for (const index of [0, 1]) {
      const stream = streamHere(capture, { keyLogFiles, shard: { index, count: 2, key }, reorderWindow: Infinity });
      const connections = [];
      for await (const connection of stream) connections.push(connection);
      shares.push(connections);
    }
    const flows = (list: typeof all.connections) => list.map((c) => `${c.client.ip}:${c.client.port}>${c.server.ip}:${c.server.port}@${c.firstFrame}`);
    expect(all.connections.length).toBeGreaterThan(90);
    expect(shares[0]!.length).toBeGreaterThan(all.connections.length / 4);
    expect(shares[1]!.length).toBeGreaterThan(all.connections.length / 4);
    const merged = [...flows(shares[0]!), ...flows(shares[1]!)];
    expect(new Set(merged).size).toBe(merged.length);
    expect(merged.sort()).toEqual(flows(all.connections).sort());
  }, 120_000);

  it('gives what one thread gives, byte for byte, on 2 and 3 threads', async () => {
    const sequential = JSON.stringify(await analyze(capture, { keyLogFiles }));
    expect(JSON.parse(sequential).connections.some((c: { decrypted: boolean }) => c.decrypted)).toBe(true);
    expect(JSON.stringify(await analyze(capture, { keyLogFiles, workers: 2 }))).toBe(sequential);
    expect(JSON.stringify(await analyze(capture, { keyLogFiles, workers: 3 }))).toBe(sequential);
  }, 120_000);

  it('streams with the filter and reorder window of one thread, reports progress, and can be left early', async () => {
    const port = (await analyze(capture)).connections[0]!.server.port;
    const filter = (c: { server: { port: number } }) => c.server.port === port;
    const one = await analyze(capture, { filter });
    const progress: number[] = [];
    const stream = analyzeConnections(capture, { workers: 2, filter, onProgress: (p) => progress.push(p.bytesRead) });
    const streamed = [];
    for await (const connection of stream) streamed.push(connection);
    expect(JSON.stringify(streamed)).toBe(JSON.stringify(one.connections));
    expect((await stream.summary()).files).toEqual(one.files);
    expect(progress.length).toBeGreaterThan(0);

    // A reorder window of 0 (--format jsonl) gives connections in the order they end: one thread keeps it.
    const collect = async (workers: number) => {
      const list = [];
      for await (const connection of analyzeConnections(capture, { workers, reorderWindow: 0 })) list.push(connection);
      return list;
    };
    const byEnd = await collect(1);
    const firstFrames = byEnd.map((c) => c.firstFrame);
    expect(firstFrames).not.toEqual([...firstFrames].sort((a, b) => a - b));
    expect(JSON.stringify(await collect(2))).toBe(JSON.stringify(byEnd));

    const left = analyzeConnections(capture, { workers: 2 });
    let taken = 0;
    for await (const _ of left) if (++taken === 3) break;
    expect(taken).toBe(3);
    await expect(left.summary()).rejects.toThrow(/known once the connections were all iterated/);
  }, 120_000);

  it('stops every thread when the run is aborted, ends, and still says what the file held', async () => {
    const whole = await analyze(capture);
    const controller = new AbortController();
    const stream = analyzeConnections(capture, { workers: 2, signal: controller.signal });
    const connections = [];
    for await (const connection of stream) {
      connections.push(connection);
      controller.abort();
    }
    expect(connections.length).toBeGreaterThan(0);
    expect(connections.length).toBeLessThanOrEqual(whole.connections.length);
    const summary = await stream.summary();
    expect(summary.files.map((f) => f.file)).toEqual([capture]);

    // Aborted before it began, as on one thread: no file is read.
    const before = analyzeConnections(capture, { workers: 2, signal: AbortSignal.abort() });
    for await (const _ of before) expect.unreachable();
    expect((await before.summary()).files).toEqual([]);
  }, 120_000);
});
