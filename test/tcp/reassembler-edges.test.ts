import { describe, expect, it } from 'vitest';
import type { CaptureWarning } from '../../src/capture/types.js';
import { TcpReassembler, type ReassemblyOptions } from '../../src/tcp/reassembler.js';
import type { Direction, StreamControl, TcpConnectionInfo } from '../../src/tcp/types.js';
import { ACK, FIN, RST, SYN, handshake, segment, type SegmentSpec } from './segments.js';

type Call =
  | { call: 'open'; id: number }
  | { call: 'data'; id: number; direction: Direction; text: string; frame: number }
  | { call: 'gap'; id: number; direction: Direction; missing: number }
  | { call: 'close'; id: number; direction: Direction; kind: string }
  | { call: 'end'; id: number };

/** Records every call the reassembler makes, in order; `onOpen` may ignore directions. */
function recorder(options: ReassemblyOptions = {}, onOpen?: (info: TcpConnectionInfo, control: StreamControl) => void) {
  const calls: Call[] = [];
  const warnings: CaptureWarning[] = [];
  const reassembler = new TcpReassembler(
    {
      open(info, control) {
        calls.push({ call: 'open', id: info.id });
        onOpen?.(info, control);
        return {
          data: (direction, data, frame) => calls.push({ call: 'data', id: info.id, direction, text: new TextDecoder('latin1').decode(data), frame }),
          gap: (direction, missing) => calls.push({ call: 'gap', id: info.id, direction, missing }),
          close: (event) => calls.push({ call: 'close', id: info.id, direction: event.direction, kind: event.kind }),
          end: () => calls.push({ call: 'end', id: info.id }),
        };
      },
    },
    options,
    (w) => warnings.push(w),
  );
  const text = (id: number, direction: Direction) =>
    calls.map((c) => (c.call === 'data' && c.id === id && c.direction === direction ? c.text : c.call === 'gap' && c.id === id && c.direction === direction ? `<gap ${c.missing}>` : '')).join('');
  const feed = (...specs: (SegmentSpec | ReturnType<typeof segment>)[]) => {
    for (const s of specs) reassembler.segment('bytes' in s ? s : segment(s));
  };
  return { reassembler, calls, warnings, text, feed };
}

describe('TcpReassembler with hand-built segments', () => {
  it('delivers in order across the 2^32 sequence wrap', () => {
    const r = recorder();
    const isn = 0xfffffff8;
    r.feed(...handshake(isn, 1000));
    // Segments straddle and follow the wrap; the second arrives first.
    r.feed({ from: 'client', seq: isn + 1 + 6, ack: 1001, payload: 'GHIJKL', frame: 5 });
    r.feed({ from: 'client', seq: isn + 1, ack: 1001, payload: 'ABCDEF', frame: 4 });
    r.feed({ from: 'client', seq: isn + 1 + 12, ack: 1001, payload: 'MNO', frame: 6 });
    r.reassembler.finish();
    expect(r.text(0, 0)).toBe('ABCDEFGHIJKLMNO');
    expect(r.reassembler.stats.outOfOrder).toBe(1);
  });

  it('overlapping copies: the first copy of each byte wins, in order', () => {
    const r = recorder();
    r.feed(...handshake(100, 5000));
    r.feed({ from: 'client', seq: 101, ack: 5001, payload: 'abcd', frame: 4 });
    r.feed({ from: 'client', seq: 103, ack: 5001, payload: 'XXef', frame: 5 }); // bytes 103-104 seen before
    r.reassembler.finish();
    expect(r.text(0, 0)).toBe('abcdef');
    expect(r.reassembler.stats.retransmitted).toBe(1);
  });

  it('overlapping copies: a waiting out-of-order segment is the first copy of its bytes', () => {
    const r = recorder();
    r.feed(...handshake(100, 5000));
    r.feed({ from: 'client', seq: 105, ack: 5001, payload: 'efgh', frame: 4 }); // waits: 101-104 missing
    r.feed({ from: 'client', seq: 101, ack: 5001, payload: 'abcdXXXXij', frame: 5 });
    r.reassembler.finish();
    expect(r.text(0, 0)).toBe('abcdefghij');
  });

  it('too many waiting segments: the hole becomes a gap and one warning says so', () => {
    const r = recorder({ maxPendingSegments: 2 });
    r.feed(...handshake(0, 0));
    r.feed({ from: 'server', seq: 1, ack: 1, payload: 'AAAA', frame: 4 });
    // 1000 bytes never captured, then three segments beyond the hole.
    r.feed({ from: 'server', seq: 1005, ack: 1, payload: 'BB', frame: 5 });
    r.feed({ from: 'server', seq: 1007, ack: 1, payload: 'CC', frame: 6 });
    r.feed({ from: 'server', seq: 1009, ack: 1, payload: 'DD', frame: 7 });
    expect(r.text(0, 1)).toBe('AAAA<gap 1000>BBCCDD');
    expect(r.warnings.map((w) => w.code)).toEqual(['reassembly-limit']);
    expect(r.warnings[0]!.frame).toBe(7);
    r.feed({ from: 'server', seq: 1011, ack: 1, payload: 'EE', frame: 8 });
    expect(r.text(0, 1)).toBe('AAAA<gap 1000>BBCCDDEE');
  });

  it('too many waiting bytes: the same, bounded by maxPendingBytes', () => {
    const r = recorder({ maxPendingBytes: 8 });
    r.feed(...handshake(0, 0));
    r.feed({ from: 'client', seq: 11, ack: 1, payload: 'xxxxxx', frame: 4 });
    r.feed({ from: 'client', seq: 17, ack: 1, payload: 'yyyyyy', frame: 5 });
    expect(r.text(0, 0)).toBe('<gap 10>xxxxxxyyyyyy');
    expect(r.warnings).toHaveLength(1);
  });

  it('a peer ACK beyond a hole turns the hole into a gap at once', () => {
    const r = recorder();
    r.feed(...handshake(0, 0));
    r.feed({ from: 'server', seq: 11, ack: 1, payload: 'later', frame: 4 });
    expect(r.text(0, 1)).toBe('');
    r.feed({ from: 'client', seq: 1, ack: 16, frame: 5 }); // the client got bytes 1-15
    expect(r.text(0, 1)).toBe('<gap 10>later');
  });

  it('bytes acknowledged but never captured are a gap at the end', () => {
    const r = recorder();
    r.feed(...handshake(0, 0));
    r.feed({ from: 'server', seq: 1, ack: 1, payload: 'seen', frame: 4 });
    r.feed({ from: 'client', seq: 1, ack: 25, frame: 5 });
    r.reassembler.finish();
    expect(r.text(0, 1)).toBe('seen<gap 20>');
  });

  it('snaplen: the uncaptured tail of a segment is a gap, the next segment follows it', () => {
    const r = recorder();
    r.feed(...handshake(0, 0));
    r.feed({ from: 'server', seq: 1, ack: 1, payload: 'head', missing: 96, frame: 4 });
    r.feed({ from: 'server', seq: 101, ack: 1, payload: 'next', frame: 5 });
    expect(r.text(0, 1)).toBe('head<gap 96>next');
  });

  it('ignore(direction): nothing is delivered for it, its bytes are counted, the other direction flows', () => {
    const r = recorder({}, (_info, control) => control.ignore(1));
    r.feed(...handshake(0, 0));
    r.feed({ from: 'server', seq: 21, ack: 1, payload: 'out-of-order', frame: 4 });
    r.feed({ from: 'server', seq: 1, ack: 1, payload: 'twenty bytes of data', frame: 5 });
    r.feed({ from: 'client', seq: 1, ack: 33, payload: 'hello', frame: 6 });
    r.reassembler.finish();
    expect(r.text(0, 1)).toBe('');
    expect(r.text(0, 0)).toBe('hello');
    expect(r.reassembler.stats.ignoredBytes).toBe(32);
  });

  it('RST ends the connection; later segments on the 4-tuple deliver nothing and open nothing', () => {
    const r = recorder();
    r.feed(...handshake(0, 0));
    r.feed({ from: 'client', seq: 1, ack: 1, payload: 'req', frame: 4 });
    r.feed({ from: 'server', seq: 1, ack: 4, flags: RST | ACK, frame: 5 });
    r.feed({ from: 'client', seq: 4, ack: 1, payload: 'more', frame: 6 });
    r.feed({ from: 'server', seq: 1, flags: RST, frame: 7 });
    r.reassembler.finish();
    expect(r.calls.filter((c) => c.call !== 'data')).toEqual([
      { call: 'open', id: 0 },
      { call: 'close', id: 0, direction: 1, kind: 'rst' },
      { call: 'end', id: 0 },
    ]);
    expect(r.text(0, 0)).toBe('req');
  });

  it('a FIN seen before the last data closes the direction only after that data', () => {
    const r = recorder();
    r.feed(...handshake(0, 0));
    r.feed({ from: 'server', seq: 6, ack: 1, flags: FIN | ACK, frame: 4 }); // FIN at seq 6: bytes 1-5 first
    expect(r.calls.some((c) => c.call === 'close')).toBe(false);
    r.feed({ from: 'server', seq: 1, ack: 1, payload: 'final', frame: 5 });
    r.feed({ from: 'client', seq: 1, ack: 7, flags: FIN | ACK, frame: 6 });
    r.feed({ from: 'server', seq: 7, ack: 2, frame: 7 }); // the last ACK: no phantom connection
    expect(r.calls).toEqual([
      { call: 'open', id: 0 },
      { call: 'data', id: 0, direction: 1, text: 'final', frame: 5 },
      { call: 'close', id: 0, direction: 1, kind: 'fin' },
      { call: 'close', id: 0, direction: 0, kind: 'fin' },
      { call: 'end', id: 0 },
    ]);
    r.reassembler.finish();
    expect(r.reassembler.stats.connections).toBe(1);
  });

  it('a new SYN on a reused 4-tuple opens a new connection; a retransmitted SYN does not', () => {
    const r = recorder();
    r.feed(...handshake(1000, 2000));
    r.feed(segment({ from: 'client', seq: 1000, flags: SYN, frame: 4 })); // retransmitted SYN
    r.feed({ from: 'client', seq: 1001, ack: 2001, payload: 'one', frame: 5 });
    r.feed({ from: 'client', seq: 1004, ack: 2001, flags: FIN | ACK, frame: 6 });
    r.feed({ from: 'server', seq: 2001, ack: 1005, flags: FIN | ACK, frame: 7 });
    r.feed(segment({ from: 'client', seq: 9000, flags: SYN, frame: 8 }));
    r.feed(segment({ from: 'server', seq: 7000, ack: 9001, flags: SYN | ACK, frame: 9 }));
    r.feed({ from: 'client', seq: 9001, ack: 7001, payload: 'two', frame: 10 });
    r.reassembler.finish();
    expect(r.reassembler.stats.connections).toBe(2);
    expect(r.text(0, 0)).toBe('one');
    expect(r.text(1, 0)).toBe('two');
    expect(r.calls.filter((c) => c.call === 'end').map((c) => c.id)).toEqual([0, 1]);
  });

  it('the initiator: the SYN sender, else the SYN-ACK receiver, else the higher port', () => {
    const seen: TcpConnectionInfo[] = [];
    const collect = (options: ReassemblyOptions = {}) =>
      new TcpReassembler({ open: (info) => (seen.push(info), null) }, options);
    const a = collect();
    a.segment(segment({ from: 'server', seq: 5, ack: 1, flags: SYN | ACK, frame: 1 }));
    const b = collect();
    b.segment(segment({ from: 'server', seq: 5, ack: 1, payload: 'x', frame: 1 }));
    const c = collect();
    c.segment(segment({ from: 'client', seq: 1, flags: SYN, frame: 1 }));
    expect(seen.map((i) => `${i.initiator.port}>${i.responder.port} syn=${i.sawSyn}`)).toEqual([
      '50000>443 syn=false',
      '50000>443 syn=false',
      '50000>443 syn=true',
    ]);
  });

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
