import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/index.js';
import { PacketDecoder } from '../../src/ip/index.js';
import type { ConnectionTable } from '../../src/tcp/connection-table.js';
import { TcpReassembler } from '../../src/tcp/reassembler.js';
import type { TcpSegment } from '../../src/ip/tcp-segment.js';
import { CAPTURES_DIR, TCP_CAPTURES_DIR } from './helpers.js';

const CAPS = { maxPendingBytes: 4096, maxPendingSegments: 8, maxConnections: 8, idleTimeout: 300 };

/** Owned copies of every TCP segment of a real capture (the decoder reuses its segment object). */
async function segmentsOf(path: string): Promise<TcpSegment[]> {
  const out: TcpSegment[] = [];
  const decoder = new PacketDecoder((s) => out.push({ ...s, bytes: s.bytes.slice() }));
  await readCapture(path, { frame: (f) => decoder.frame(f) });
  return out;
}

/** Reads the reassembler's private table: the invariant under test is about memory nobody else can see. */
function pendingPerDirection(reassembler: TcpReassembler): { bytes: number; segments: number }[] {
  const table = (reassembler as unknown as { table: ConnectionTable }).table;
  const out: { bytes: number; segments: number }[] = [];
  for (const conn of table.all()) {
    for (const half of [conn.half0, conn.half1]) {
      if (half === null) continue; // a direction that sent nothing has no state
      const bytes = half.pending.reduce((n, p) => n + p.data.length, 0);
      expect(bytes).toBe(half.pendingBytes);
      out.push({ bytes, segments: half.pending.length });
    }
  }
  return out;
}

type Op = { kind: 'keep' } | { kind: 'drop' } | { kind: 'duplicate' } | { kind: 'truncate'; keep: number } | { kind: 'move'; by: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Op>({ kind: 'keep' }) },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: 'drop' }) },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: 'duplicate' }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 200 }).map<Op>((keep) => ({ kind: 'truncate', keep })) },
  { weight: 1, arbitrary: fc.integer({ min: -20, max: 20 }).map<Op>((by) => ({ kind: 'move', by })) },
);

/** Applies one op per segment: the stream a lossy, duplicating, reordering, snaplen-cutting capture would give. */
function mutate(segments: TcpSegment[], ops: Op[]): TcpSegment[] {
  const placed: { at: number; seg: TcpSegment }[] = [];
  segments.forEach((seg, i) => {
    const o = ops[i % ops.length]!;
    if (o.kind === 'drop') return;
    if (o.kind === 'truncate') {
      const keep = Math.min(o.keep, seg.payloadLength);
      placed.push({ at: i, seg: { ...seg, payloadLength: keep, missingPayload: seg.missingPayload + seg.payloadLength - keep } });
      return;
    }
    placed.push({ at: o.kind === 'move' ? i + o.by + 0.5 : i, seg });
    if (o.kind === 'duplicate') placed.push({ at: i + 0.25, seg });
  });
  return placed.sort((a, b) => a.at - b.at).map((p) => p.seg);
}

const inputs = [
  join(TCP_CAPTURES_DIR, 'chunked.pcap'),
  join(TCP_CAPTURES_DIR, 'parallel-20.pcap'),
  join(TCP_CAPTURES_DIR, 'reused-4tuple.pcap'),
  join(CAPTURES_DIR, 'formats/ipv6.pcap'),
];

describe('TcpReassembler over mutated real captures (fast-check, fixed seed)', async () => {
  const corpora = await Promise.all(inputs.map(async (path) => ({ path, segments: await segmentsOf(path) })));

  it('read the captures', () => {
    for (const c of corpora) expect(c.segments.length, c.path).toBeGreaterThan(10);
  });

  it.each(corpora.map((c) => [c.path.slice(CAPTURES_DIR.length + 1), c]))('%s: never throws, stays bounded, invents no bytes', (_name, corpus) => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 64 }), (ops) => {
        const fed = mutate(corpus.segments, ops);
        let delivered = 0;
        let gapBytes = 0;
        let open = 0;
        const reassembler = new TcpReassembler(
          {
            open: () => {
              open++;
              return {
                data: (_d, data) => void (delivered += data.length),
                gap: (_d, missing) => {
                  expect(missing).toBeGreaterThan(0);
                  gapBytes += missing;
                },
                end: () => void open--,
              };
            },
          },
          CAPS,
        );
        let captured = 0;
        for (const seg of fed) {
          captured += seg.payloadLength;
          reassembler.segment(seg);
          for (const half of pendingPerDirection(reassembler)) {
            expect(half.segments).toBeLessThanOrEqual(CAPS.maxPendingSegments);
            expect(half.bytes).toBeLessThanOrEqual(CAPS.maxPendingBytes);
          }
          expect(reassembler.size).toBeLessThanOrEqual(CAPS.maxConnections);
        }
        reassembler.finish();
        expect(delivered).toBeLessThanOrEqual(captured);
        expect(open).toBe(0);
        expect(Number.isFinite(gapBytes)).toBe(true);
      }),
      { seed: 20261122, numRuns: 40 },
    );
  });
});
