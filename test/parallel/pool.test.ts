import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseWorkerCount, PARALLEL_MIN_BYTES } from '../../src/parallel/index.js';
import { REPO_ROOT as root } from '../repo.js';

// Worker threads run compiled JavaScript: the test builds dist/ and drives it.
type Analyze = typeof import('../../src/analyze.js').analyze;
type AnalyzeConnections = typeof import('../../src/analyze.js').analyzeConnections;
let analyze: Analyze;
let analyzeConnections: AnalyzeConnections;

const corpus = ['captures/mtls', 'captures/server'].flatMap((dir) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.pcap'))
    .sort()
    .map((f) => join(root, dir, f)),
);
const keyLogs = ['captures/mtls', 'captures/server'].flatMap((dir) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.keys.log'))
    .map((f) => join(root, dir, f)),
);

describe('analyze() on worker threads', () => {
  beforeAll(async () => {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'ignore' });
    const url = new URL(`file://${join(root, 'dist', 'analyze.js')}`).href;
    ({ analyze, analyzeConnections } = (await import(url)) as { analyze: Analyze; analyzeConnections: AnalyzeConnections });
  }, 120_000);

  it('gives the same result as one thread, connections in input order', async () => {
    expect(corpus.length).toBeGreaterThan(20);
    const options = { keyLogFiles: keyLogs };
    const sequential = await analyze(corpus, options);
    const parallel = await analyze(corpus, { ...options, workers: 2 });
    expect(parallel.files.map((f) => f.file)).toEqual(corpus);
    expect(parallel.connections.map((c) => c.index)).toEqual(parallel.connections.map((_, i) => i));
    expect(JSON.stringify(parallel)).toEqual(JSON.stringify(sequential));
    expect(sequential.connections.some((c) => c.decrypted)).toBe(true);
  }, 120_000);

  it('streams: analyzeConnections on threads yields what one thread yields, and can be left early', async () => {
    const options = { keyLogFiles: keyLogs };
    const sequential = await analyze(corpus, options);
    const stream = analyzeConnections(corpus, { ...options, workers: 2, reorderWindow: Infinity });
    const streamed = [];
    for await (const connection of stream) streamed.push(connection);
    expect(JSON.stringify(streamed)).toEqual(JSON.stringify(sequential.connections));
    const { files, warnings } = await stream.summary();
    expect({ files, warnings }).toEqual({ files: sequential.files, warnings: sequential.warnings });

    const left = analyzeConnections(corpus, { ...options, workers: 2 });
    let taken = 0;
    for await (const _ of left) if (++taken === 3) break;
    expect(taken).toBe(3);
    await expect(left.summary()).rejects.toThrow(/known once the connections were all iterated/);
  }, 120_000);

  it('applies the filter and reports progress from every file', async () => {
    const seen = new Set<string>();
    const files = corpus.slice(0, 6);
    const port = (await analyze(files.slice(0, 1))).connections[0]!.server.port;
    const result = await analyze(files, {
      workers: 2,
      filter: (c) => c.server.port === port,
      onProgress: (p) => seen.add(p.file),
    });
    expect(result.connections.length).toBeGreaterThan(0);
    expect(result.connections.every((c) => c.server.port === port)).toBe(true);
    expect([...seen].sort()).toEqual([...files].sort());
  }, 120_000);

  it('reports a file it cannot read in its place, as one thread does', async () => {
    const files = [corpus[0]!, join(root, 'package.json'), corpus[1]!];
    const parallel = await analyze(files, { workers: 2, unreadableInput: 'report' });
    const sequential = await analyze(files, { unreadableInput: 'report' });
    expect(parallel.files[1]!.error).toMatch(/expected a pcap or pcapng magic number at offset 0/);
    expect(JSON.stringify(parallel)).toEqual(JSON.stringify(sequential));
  }, 120_000);
});

describe('chooseWorkerCount', () => {
  it('uses threads only for several files holding enough bytes, at most one per core and per file', () => {
    const cores = availableParallelism();
    expect(chooseWorkerCount(1, 10 * PARALLEL_MIN_BYTES)).toBe(1);
    expect(chooseWorkerCount(5, PARALLEL_MIN_BYTES - 1)).toBe(1);
    expect(chooseWorkerCount(5, null)).toBe(1);
    expect(chooseWorkerCount(5, PARALLEL_MIN_BYTES)).toBe(Math.min(5, cores));
    expect(chooseWorkerCount(2, PARALLEL_MIN_BYTES)).toBe(Math.min(2, cores));
  });
});
