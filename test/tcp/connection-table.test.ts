import { describe, expect, it } from 'vitest';
import { ConnectionTable } from '../../src/tcp/connection-table.js';
import { recorder } from './recorder.js';
import { ACK, SYN, handshake, segment } from './segments.js';

describe('the connection table through the reassembler', () => {
  it('idle connections are ended once capture time passes the idle timeout', () => {
    const r = recorder({ idleTimeout: 10 });
    r.feed(...handshake(0, 0));
    r.feed({ from: 'client', seq: 1, ack: 1, payload: 'hi', frame: 4, time: 1 });
    r.feed({ from: 'client', seq: 1, flags: SYN, frame: 5, time: 100, clientPort: 50001 });
    expect(r.calls.filter((c) => c.call === 'end')).toEqual([{ call: 'end', id: 0 }]);
    expect(r.reassembler.stats.evicted).toBe(1);
    expect(r.reassembler.size).toBe(1);
  });

  it('the connection table cap ends the least recently active and warns once', () => {
    const r = recorder({ maxConnections: 4 });
    for (let i = 0; i < 10; i++) r.feed({ from: 'client', seq: 1, flags: SYN, frame: i + 1, clientPort: 40000 + i });
    expect(r.reassembler.size).toBeLessThanOrEqual(4);
    expect(r.warnings.map((w) => w.code)).toEqual(['too-many-connections']);
    const ended = r.calls.filter((c) => c.call === 'end').map((c) => c.id);
    expect(ended[0]).toBe(0); // the oldest goes first
    r.reassembler.finish();
    expect(r.calls.filter((c) => c.call === 'end')).toHaveLength(10);
  });
});

/** The client's SYN from `clientPort` (a distinct 4-tuple per port) at capture time `time`. */
const syn = (clientPort: number, frame: number, time = frame) => segment({ from: 'client', seq: 1, flags: SYN, frame, time, clientPort });

/** Finds the segment's connection, adding it (the sender as initiator) when there is none: as the reassembler does. */
function track(table: ConnectionTable, seg: ReturnType<typeof segment>, id: number) {
  return table.find(seg) ?? table.add(seg, true, id, true);
}

describe('ConnectionTable', () => {
  it('finds a connection from a segment of either direction, and only for its own 4-tuple', () => {
    const table = new ConnectionTable();
    const conn = track(table, syn(40000, 1), 0);
    expect(table.find(segment({ from: 'server', seq: 9, ack: 2, flags: SYN | ACK, frame: 2, clientPort: 40000 }))).toBe(conn);
    expect(table.isFromInitiator(conn, segment({ from: 'server', seq: 9, ack: 2, flags: ACK, frame: 2, clientPort: 40000 }))).toBe(false);
    const fromClient = segment({ from: 'client', seq: 2, ack: 10, flags: ACK, frame: 3, clientPort: 40000 });
    expect(table.find(fromClient)).toBe(conn);
    expect(table.isFromInitiator(conn, fromClient)).toBe(true);
    expect(table.find(syn(40001, 4))).toBeNull();
    expect([conn.initiator, conn.responder]).toEqual([
      { ip: '10.0.0.1', port: 40000 },
      { ip: '10.0.0.2', port: 443 },
    ]);
    expect(table.stats.lookups).toBe(4);
    table.remove(conn);
    expect(table.find(fromClient)).toBeNull();
    expect(table.size).toBe(0);
  });

  it(`keeps ended connections findable until ${4096} more ended, then forgets the older half at once`, () => {
    const table = new ConnectionTable();
    const ended = Array.from({ length: 4097 }, (_, i) => track(table, syn(1024 + i, i + 1), i));
    for (const conn of ended.slice(0, 4096)) table.ended(conn);
    expect(table.size).toBe(4097);
    expect(table.find(syn(1024, 1))).toBe(ended[0]);
    table.ended(ended[4096]!);
    expect(table.size).toBe(4097 - 2048);
    expect(table.find(syn(1024, 1))).toBeNull();
    expect(table.find(syn(1024 + 2047, 1))).toBeNull();
    expect(table.find(syn(1024 + 2048, 1))).toBe(ended[2048]);
  });

  it('names the idle connections in opening order and the least recently active quarter', () => {
    const table = new ConnectionTable();
    const conns = [5, 1, 4, 2, 3, 8, 7, 6].map((time, id) => track(table, syn(40000 + id, id + 1, time), id));
    expect(table.idle(10, 5).map((c) => c.id)).toEqual([1, 2, 3, 4]);
    expect(table.leastRecentlyActive().map((c) => c.id)).toEqual([1, 3]);
    conns[1]!.count(0, 0, 9, 9); // a packet at time 9: no longer idle nor among the least active
    expect(table.idle(10, 5).map((c) => c.id)).toEqual([2, 3, 4]);
    expect(table.leastRecentlyActive().map((c) => c.id)).toEqual([3, 4]);
    expect(table.all().map((c) => c.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});
