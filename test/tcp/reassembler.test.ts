import { describe, expect, it } from 'vitest';
import { TcpReassembler, type ReassemblyOptions } from '../../src/tcp/reassembler.js';
import type { TcpConnectionInfo } from '../../src/tcp/types.js';
import { recorder } from './recorder.js';
import { ACK, FIN, RST, SYN, handshake, segment } from './segments.js';

describe('TcpReassembler with hand-built segments', () => {
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
});
