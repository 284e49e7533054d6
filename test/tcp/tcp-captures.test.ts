import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TCP_CAPTURES_DIR, dataOnly, reassemble, type CollectedConnection } from './helpers.js';

const path = (name: string) => join(TCP_CAPTURES_DIR, name);

function only(connections: CollectedConnection[]): CollectedConnection {
  expect(connections).toHaveLength(1);
  return connections[0]!;
}

function gaps(conn: CollectedConnection, direction: 0 | 1): number[] {
  return conn.pieces[direction].flatMap((p) => (p.kind === 'gap' ? [p.missing] : []));
}

describe('captures/tcp: what each edited capture must give', async () => {
  const chunked = only((await reassemble(path('chunked.pcap'))).consumer.connections);

  it('chunked: one connection from its SYN, no gaps, closed by FINs', () => {
    expect(chunked.info.sawSyn).toBe(true);
    expect(chunked.info.responder.port).toBe(21444);
    expect(gaps(chunked, 0)).toEqual([]);
    expect(gaps(chunked, 1)).toEqual([]);
    // The server wrote 40 records of 601 plaintext bytes: well over 24 000 bytes of TLS.
    expect(dataOnly(chunked.pieces[1]).length).toBeGreaterThan(24_000);
    expect(chunked.closes.map((c) => c.kind)).toEqual(['fin', 'fin']);
    expect(chunked.ended).toBe(true);
  });

  it.each(['duplicated.pcap', 'reordered.pcap', 'seq-wrap.pcap'])('%s gives exactly the bytes of chunked.pcap', async (name) => {
    const { consumer, result } = await reassemble(path(name));
    const conn = only(consumer.connections);
    expect(conn.pieces).toEqual(chunked.pieces);
    if (name === 'duplicated.pcap') expect(result.reassembly.retransmitted).toBeGreaterThanOrEqual(3);
    if (name === 'reordered.pcap') expect(result.reassembly.outOfOrder).toBeGreaterThan(0);
  });

  it('lost: two gaps in the server direction, the rest of the bytes intact', async () => {
    const { consumer, result } = await reassemble(path('lost.pcap'));
    const conn = only(consumer.connections);
    const lost = gaps(conn, 1);
    expect(lost).toHaveLength(2);
    expect(gaps(conn, 0)).toEqual([]);
    expect(result.reassembly.gaps).toBe(2);
    // Lost bytes plus delivered bytes account for the whole original stream, and every delivered piece is a
    // piece of the original at the same position.
    const original = dataOnly(chunked.pieces[1]);
    let at = 0;
    for (const piece of conn.pieces[1]) {
      if (piece.kind === 'gap') at += piece.missing;
      else {
        expect(piece.bytes.equals(original.subarray(at, at + piece.bytes.length))).toBe(true);
        at += piece.bytes.length;
      }
    }
    expect(at).toBe(original.length);
  });

  it('late-after-ack: a segment seen only after the ACK covering it is a gap; its late copy is not spliced in', async () => {
    const { consumer } = await reassemble(path('late-after-ack.pcap'));
    const conn = only(consumer.connections);
    expect(gaps(conn, 1)).toHaveLength(1);
    expect(dataOnly(conn.pieces[1]).length + gaps(conn, 1)[0]!).toBe(dataOnly(chunked.pieces[1]).length);
  });

  it('midstream: no SYN, the initiator is still the client (higher port), bytes are a suffix of the full stream', async () => {
    const { consumer, result } = await reassemble(path('midstream.pcap'));
    const conn = only(consumer.connections);
    expect(conn.info.sawSyn).toBe(false);
    expect(result.reassembly.withoutSyn).toBe(1);
    expect(conn.info.initiator).toEqual(chunked.info.initiator);
    const full = dataOnly(chunked.pieces[1]);
    const tail = dataOnly(conn.pieces[1]);
    expect(tail.length).toBeGreaterThan(0);
    expect(tail.length).toBeLessThan(full.length);
    expect(full.subarray(full.length - tail.length).equals(tail)).toBe(true);
  });

  it('reused-4tuple: two connections on the same ports, each from its own SYN', async () => {
    const { consumer } = await reassemble(path('reused-4tuple.pcap'));
    const [first, second] = consumer.connections;
    expect(consumer.connections).toHaveLength(2);
    expect(first!.info.initiator).toEqual(second!.info.initiator);
    expect(first!.info.initiator.port).toBe(21600);
    expect(first!.info.sawSyn && second!.info.sawSyn).toBe(true);
    expect(second!.info.firstFrame).toBeGreaterThan(first!.info.lastFrame);
    for (const conn of [first!, second!]) {
      expect(dataOnly(conn.pieces[0])[0]).toBe(0x16); // each starts with its own ClientHello record
      expect(gaps(conn, 0)).toEqual([]);
    }
  });

  it('rst: the client reset ends the connection', async () => {
    const { consumer } = await reassemble(path('rst.pcap'));
    const conn = only(consumer.connections);
    expect(conn.info.firstClose?.kind).toBe('rst');
    expect(conn.info.firstClose?.direction).toBe(0);
    expect(conn.closes.at(-1)).toEqual({ direction: 0, kind: 'rst' });
    expect(conn.ended).toBe(true);
  });

  it('parallel-20: twenty connections, each a full TLS exchange', async () => {
    const { consumer } = await reassemble(path('parallel-20.pcap'));
    expect(consumer.connections).toHaveLength(20);
    expect(new Set(consumer.connections.map((c) => c.info.initiator.port)).size).toBe(20);
    for (const conn of consumer.connections) {
      expect(conn.info.sawSyn).toBe(true);
      expect(gaps(conn, 0).concat(gaps(conn, 1))).toEqual([]);
      expect(dataOnly(conn.pieces[0])[0]).toBe(0x16);
      expect(dataOnly(conn.pieces[1])[0]).toBe(0x16);
    }
    // They overlap in time: some connection starts before an earlier one ends.
    const sorted = [...consumer.connections].sort((a, b) => a.info.firstFrame - b.info.firstFrame);
    expect(sorted.some((c, i) => i > 0 && c.info.firstFrame < sorted[i - 1]!.info.lastFrame)).toBe(true);
  });
});
