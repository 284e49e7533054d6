import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, analyzeConnections } from '../../src/analyze.js';
import type { ConnectionReport } from '../../src/model/types.js';

const captures = ['captures/mtls', 'captures/server']
  .flatMap((dir) => readdirSync(dir).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => join(dir, f)))
  .sort();

async function collect(stream: AsyncIterable<ConnectionReport>): Promise<ConnectionReport[]> {
  const out: ConnectionReport[] = [];
  for await (const c of stream) out.push(c);
  return out;
}

describe('analyzeConnections', () => {
  it('yields what analyze() returns, in the same order, with the files and warnings in summary()', async () => {
    const expected = await analyze(captures);
    const stream = analyzeConnections(captures);
    const connections = await collect(stream);
    expect(connections.length).toBeGreaterThan(40);
    expect(JSON.stringify(connections)).toBe(JSON.stringify(expected.connections));
    const summary = await stream.summary();
    expect(summary.files).toEqual(expected.files);
    expect(summary.warnings).toEqual(expected.warnings);
  }, 120_000);

  it('with no reorder window yields every connection once, numbered in the order yielded', async () => {
    const expected = await analyze(captures);
    const connections = await collect(analyzeConnections(captures, { reorderWindow: 0 }));
    expect(connections.map((c) => c.index)).toEqual(connections.map((_, i) => i));
    const key = (c: ConnectionReport) => `${c.file}#${c.firstFrame}`;
    expect(connections.map(key).sort()).toEqual(expected.connections.map(key).sort());
    const strip = (c: ConnectionReport) => JSON.stringify({ ...c, index: 0 });
    expect(connections.map(strip).sort()).toEqual(expected.connections.map(strip).sort());
  }, 120_000);

  it('refuses summary() before the iteration ended', async () => {
    const stream = analyzeConnections(captures[0]!);
    await expect(stream.summary()).rejects.toThrow(/iterated/);
    await collect(stream);
    expect((await stream.summary()).files).toHaveLength(1);
  });

  it('lets the consumer stop early without leaving the reader waiting', async () => {
    let seen = 0;
    for await (const _ of analyzeConnections(captures)) {
      if (++seen === 3) break;
    }
    expect(seen).toBe(3);
  });
});
