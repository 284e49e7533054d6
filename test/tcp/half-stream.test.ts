import { describe, expect, it } from 'vitest';
import { HalfStream, UNSEEN, type HalfStreamSink } from '../../src/tcp/half-stream.js';
import { recorder } from './recorder.js';
import { handshake } from './segments.js';

describe('one direction through the reassembler', () => {
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

  it('snaplen: the uncaptured tail of a segment is a gap, the next segment follows it', () => {
    const r = recorder();
    r.feed(...handshake(0, 0));
    r.feed({ from: 'server', seq: 1, ack: 1, payload: 'head', missing: 96, frame: 4 });
    r.feed({ from: 'server', seq: 101, ack: 1, payload: 'next', frame: 5 });
    expect(r.text(0, 1)).toBe('head<gap 96>next');
  });
});

/** A sink that writes what the half-stream hands over as text: bytes as they are, gaps as `<gap n>` (`<limit n>` when tlsdiag gave them up). */
function textSink(limits: { maxPendingBytes?: number; maxPendingSegments?: number } = {}) {
  const out: string[] = [];
  const limitFrames: number[] = [];
  const sink: HalfStreamSink<'conn'> = {
    stats: { outOfOrder: 0, retransmitted: 0, gaps: 0, gapBytes: 0, ignoredBytes: 0 },
    maxPendingBytes: limits.maxPendingBytes ?? 1 << 20,
    maxPendingSegments: limits.maxPendingSegments ?? 1024,
    data: (conn, direction, data) => {
      expect([conn, direction]).toEqual(['conn', 1]);
      out.push(new TextDecoder('latin1').decode(data));
    },
    gap: (_conn, _direction, missing, _frame, _time, ownLimit) => out.push(ownLimit === undefined ? `<gap ${missing}>` : `<limit ${missing}>`),
    pendingLimitReached: (_conn, frame) => {
      limitFrames.push(frame);
      return 'the reassembly limit';
    },
  };
  const bytes = (text: string) => new TextEncoder().encode(text);
  /** Offers `text` at `seq` to the half-stream, as the reassembler does with a segment's payload. */
  const offer = (half: HalfStream, seq: number, text: string, frame = 1, missing = 0) => half.accept(sink, 'conn', 1, seq, bytes(text), missing, frame, frame);
  return { sink, out, limitFrames, offer, text: () => out.join('') };
}

describe('HalfStream', () => {
  it('a SYN fixes the first byte; bytes in order go out at once, bytes seen before are counted, not repeated', () => {
    const s = textSink();
    const half = new HalfStream();
    half.syn(99, false);
    expect([half.next, half.isn]).toEqual([100, 99]);
    s.offer(half, 100, 'abc');
    s.offer(half, 101, 'bcd');
    s.offer(half, 100, 'abc');
    expect(s.text()).toBe('abcd');
    expect(s.sink.stats.retransmitted).toBe(2);
    expect(half.isRetransmittedSyn(99)).toBe(true);
    expect(half.isRetransmittedSyn(5000)).toBe(false);
  });

  it('bytes after a hole wait, copied, until it fills; the waiting copy wins over a later one of the same bytes', () => {
    const s = textSink();
    const half = new HalfStream();
    half.syn(0, false);
    const late = new TextEncoder().encode('efgh');
    half.accept(s.sink, 'conn', 1, 5, late, 0, 2, 2);
    late.fill(0x58); // the caller's buffer is reused: the half-stream kept a copy
    expect(half.pending).toHaveLength(1);
    expect(half.pendingBytes).toBe(4);
    s.offer(half, 1, 'abcdXXXXij', 3);
    expect(s.text()).toBe('abcdefghij');
    expect(half.pending).toHaveLength(0);
    expect(s.sink.stats.outOfOrder).toBe(1);
  });

  it('past maxPendingSegments the holes become gaps that name tlsdiag’s own limit, and the sink hears of it once per overflow', () => {
    const s = textSink({ maxPendingSegments: 2 });
    const half = new HalfStream();
    half.syn(0, false);
    s.offer(half, 11, 'B', 4);
    s.offer(half, 21, 'C', 5);
    expect(s.text()).toBe('');
    s.offer(half, 31, 'D', 6);
    expect(s.text()).toBe('<limit 10>B<limit 9>C<limit 9>D');
    expect(s.limitFrames).toEqual([6]);
    expect(s.sink.stats.gaps).toBe(3);
    expect(s.sink.stats.gapBytes).toBe(28);
  });

  it('a snaplen-cut tail is a gap right after the captured bytes (not a limit)', () => {
    const s = textSink();
    const half = new HalfStream();
    half.syn(0, false);
    s.offer(half, 1, 'head', 1, 96);
    s.offer(half, 101, 'next', 2);
    expect(s.text()).toBe('head<gap 96>next');
  });

  it('finish: what waits goes out after a gap, then bytes acknowledged but never captured are a final gap, up to the FIN', () => {
    const s = textSink();
    const half = new HalfStream();
    half.syn(0, false);
    s.offer(half, 6, 'later', 2);
    half.finSeq = 31;
    half.acknowledged(40); // past the FIN: the final gap stops at the FIN
    expect(half.ackedPastHole).toBe(true);
    half.finish(s.sink, 'conn', 1, 9, 9);
    expect(s.text()).toBe('<gap 5>later<gap 20>');
    expect(half.pending).toHaveLength(0);
    expect(half.reachedFin).toBe(true);
  });

  it('several SYN-ACK ISNs: the stream follows the one the peer acknowledges, or the one data continues', () => {
    const acked = new HalfStream();
    acked.syn(1000, true);
    acked.syn(5000, true);
    expect(acked.followsSynAcks).toBe(true);
    acked.followAcknowledgedIsn(5001);
    expect(acked.next).toBe(5001);
    const continued = new HalfStream();
    continued.syn(1000, true);
    continued.syn(5000, true);
    continued.followDataIsn(5001);
    expect(continued.next).toBe(5001);
    continued.followDataIsn(1001);
    expect(continued.next).toBe(1001);
  });

  it('an ignored direction keeps nothing: its bytes and holes are only counted, its position still moves', () => {
    const s = textSink();
    const half = new HalfStream();
    half.syn(0, false);
    half.ignore();
    s.offer(half, 11, 'later');
    s.offer(half, 1, 'early');
    expect(s.out).toEqual([]);
    expect(half.pending).toHaveLength(0);
    expect(half.next).toBe(16);
    expect(s.sink.stats.ignoredBytes).toBe(15);
  });

  it('UNSEEN, the state of a direction that sent nothing, cannot be changed', () => {
    expect(UNSEEN.next).toBe(-1);
    expect(() => ((UNSEEN as HalfStream).next = 5)).toThrow(TypeError);
  });
});
