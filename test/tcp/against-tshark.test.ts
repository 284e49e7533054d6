import { basename, relative } from 'node:path';
import { describe as suite, expect, it } from 'vitest';
import {
  CAPTURES_DIR,
  JA4_DIR,
  REPO,
  allCaptures,
  dataOnly,
  describe,
  endpointText,
  reassemble,
  tsharkStreams,
  type CollectedConnection,
  type Piece,
} from './helpers.js';
import { requireTool } from '../tools.js';

const tshark = requireTool('tshark', 'the reassembly comparison against tshark');

const corpus = allCaptures(CAPTURES_DIR);
const ja4 = allCaptures(JA4_DIR);

function samePieces(ours: Piece[], theirs: Piece[]): boolean {
  if (ours.length !== theirs.length) return false;
  return ours.every((p, i) => {
    const q = theirs[i]!;
    if (p.kind === 'data') return q.kind === 'data' && p.bytes.equals(q.bytes);
    return q.kind === 'gap' && p.missing === q.missing;
  });
}

/** Every disagreement between our connections and tshark's streams, as readable lines (empty when they agree). */
async function compare(path: string): Promise<{ problems: string[]; streams: number; connections: CollectedConnection[] }> {
  const [{ consumer }, streams] = await Promise.all([reassemble(path), tsharkStreams(path)]);
  const problems: string[] = [];
  const unmatched = new Set(consumer.connections);
  for (const stream of streams) {
    const ours = consumer.connections.find((c) => {
      if (c.info.firstFrame !== stream.firstFrame) return false;
      const ends = [endpointText(c.info.initiator), endpointText(c.info.responder)].sort();
      return ends.join(' ') === [...stream.nodes].sort().join(' ');
    });
    if (ours === undefined) {
      problems.push(`tcp.stream ${stream.index} (${stream.nodes.join(' ↔ ')}, first frame ${stream.firstFrame}) not found`);
      continue;
    }
    unmatched.delete(ours);
    for (const node of [0, 1] as const) {
      const direction = stream.nodes[node] === endpointText(ours.info.initiator) ? 0 : 1;
      const mine = ours.pieces[direction];
      const theirs = stream.pieces[node];
      if (stream.truncatedFrames > 0) {
        // tshark's follow joins the captured parts of snaplen-cut segments without saying bytes are missing; we
        // mark each cut tail as a gap. Compare the captured bytes, and require the gaps tshark does not show.
        const cut = theirs.every((p) => p.kind === 'data') && mine.some((p) => p.kind === 'gap');
        if (!dataOnly(mine).equals(dataOnly(theirs)) || (!cut && !samePieces(mine, theirs))) {
          problems.push(`tcp.stream ${stream.index} node ${node} (snaplen-cut): ours ${describe(mine)} | tshark ${describe(theirs)}`);
        }
        continue;
      }
      if (!samePieces(mine, theirs)) {
        problems.push(`tcp.stream ${stream.index} node ${node} (${stream.nodes[node]}): ours ${describe(mine)} | tshark ${describe(theirs)}`);
      }
    }
  }
  for (const extra of unmatched) {
    // A capture that holds the same packets twice (two pcapng sections) replays a closed connection from its SYN:
    // we open a new connection, tshark counts the copy as retransmissions of its stream. Accept exact replays only.
    const original = consumer.connections.find(
      (c) => c !== extra && !unmatched.has(c) && c.info.sawSyn && extra.info.sawSyn &&
        endpointText(c.info.initiator) === endpointText(extra.info.initiator) && endpointText(c.info.responder) === endpointText(extra.info.responder) &&
        samePieces(c.pieces[0], extra.pieces[0]) && samePieces(c.pieces[1], extra.pieces[1]),
    );
    if (original !== undefined) continue;
    problems.push(`our connection ${extra.info.id} (${endpointText(extra.info.initiator)} → ${endpointText(extra.info.responder)}, first frame ${extra.info.firstFrame}) is not a tshark stream`);
  }
  return { problems, streams: streams.length, connections: consumer.connections };
}

suite.skipIf(!tshark)('reassembled streams equal tshark follow,tcp,raw', () => {
  it('finds the corpus', () => {
    expect(corpus.length).toBeGreaterThan(20);
    expect(corpus.some((f) => f.includes('/tcp/'))).toBe(true);
  });

  it.each(corpus.map((f) => [relative(REPO, f), f]))('%s', async (_name, path) => {
    const { problems, streams } = await compare(path);
    expect(problems).toEqual([]);
    expect(streams).toBeGreaterThan(0);
  });
});

suite.skipIf(!tshark || ja4.length === 0)('JA4 conformance captures: every TCP connection tshark finds is found', () => {
  it.each(ja4.map((f) => [basename(f), f]))('%s', async (_name, path) => {
    const { problems } = await compare(path);
    expect(problems.filter((p) => p.endsWith('not found'))).toEqual([]);
  });
});
