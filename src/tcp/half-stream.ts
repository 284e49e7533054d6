import type { Direction } from './types.js';

/** A segment that came before the bytes preceding it, kept (copied) until they come or are given up. */
export interface PendingSegment {
  seq: number;
  data: Uint8Array;
  missing: number;
  frame: number;
  time: number;
}

/**
 * Where a half-stream's bytes and gaps go and what it counts: the reassembler, which hands them to the
 * connection's handler. `C` is the connection, passed back untouched (no object per direction to hold it).
 */
export interface HalfStreamSink<C> {
  readonly stats: {
    outOfOrder: number;
    retransmitted: number;
    gaps: number;
    gapBytes: number;
    ignoredBytes: number;
  };
  readonly maxPendingBytes: number;
  readonly maxPendingSegments: number;
  data(conn: C, direction: Direction, data: Uint8Array, frame: number, time: number): void;
  /** `ownLimit`: set when the bytes were given up by tlsdiag's reassembly limit, not lost by the capture. */
  gap(conn: C, direction: Direction, missing: number, frame: number, time: number, ownLimit: string | undefined): void;
  /** The out-of-order limit was passed at `frame`; returns the reason handed with the gaps it causes. */
  pendingLimitReached(conn: C, frame: number): string;
}

/** SYN-ACKs of different ISNs remembered for one direction (a hostile capture may send thousands). */
const MAX_SYN_ACK_ISNS = 4;

/**
 * `synAckIsns` of a responder that sent one SYN-ACK so far, its ISN being `isn`: no array per connection (an
 * array is made only when a second SYN-ACK of another ISN comes). Never changed.
 */
const ONE_SYN_ACK: number[] = [];

/** The pending list of every direction with nothing out of order (most): an array is made on the first segment. */
const NO_PENDING: PendingSegment[] = [];

/**
 * One direction of a TCP connection: where its byte stream stands (next expected sequence number, FIN,
 * what the peer acknowledged) and the segments waiting for a hole to fill. It rebuilds the stream in order,
 * the first copy of a byte winning, and turns holes that will not be filled into gaps.
 */
export class HalfStream {
  /** Next expected sequence number (unsigned 32-bit), or -1 until the first segment fixes it. */
  next = -1;
  /** Sequence number of this direction's SYN, or -1. */
  isn = -1;
  /** Sequence number of the FIN (the byte after the last payload byte), or -1. */
  finSeq = -1;
  /** Highest sequence number of this direction that the peer acknowledged, or -1. */
  ackedByPeer = -1;
  ignored = false;
  closed = false;
  pending: PendingSegment[] = NO_PENDING;
  pendingBytes = 0;
  /**
   * Responder: the initial sequence numbers of its SYN-ACKs (ONE_SYN_ACK while there is one, `isn`), kept until
   * its first bytes are delivered (then null). With several different ones (TCP Fast Open, SYN proxies) `next`
   * follows the one the initiator acknowledges, or the one the responder's first data segment continues.
   */
  synAckIsns: number[] | null = null;

  /** This direction's SYN (`synAck`: a SYN-ACK) with sequence number `seq`. */
  syn(seq: number, synAck: boolean): void {
    if (this.next < 0) {
      this.next = (seq + 1) >>> 0;
      this.isn = seq >>> 0;
      if (synAck) this.synAckIsns = ONE_SYN_ACK;
    } else if (synAck && this.synAckIsns !== null) {
      this.noteSynAck(seq);
    }
  }

  /**
   * The initiator's SYN again: the same ISN. With TCP Fast Open the first SYN carried data, so `next` has moved
   * past ISN + 1 and only the ISN itself tells a retransmission from a new connection.
   */
  isRetransmittedSyn(seq: number): boolean {
    if (this.isn >= 0) return this.isn === seq >>> 0;
    return seqDiff(seq + 1, this.next) === 0;
  }

  /** Several SYN-ACK ISNs are candidates: the stream follows the one acknowledged or continued. */
  get followsSynAcks(): boolean {
    return this.synAckIsns !== null && this.synAckIsns.length > 1;
  }

  /** The peer acknowledged `ack` (unsigned) of this direction. */
  acknowledged(ack: number): void {
    if (this.next < 0) return;
    if (this.ackedByPeer < 0 || seqDiff(ack, this.ackedByPeer) > 0) this.ackedByPeer = ack;
  }

  /** Every byte before the FIN was delivered: the direction is closed (not yet marked so). */
  get reachedFin(): boolean {
    return !this.closed && this.finSeq >= 0 && this.next >= 0 && seqDiff(this.next, this.finSeq) >= 0;
  }

  /** Stops keeping bytes: they are only counted (StreamControl.ignore). */
  ignore(): void {
    this.ignored = true;
    this.pending = NO_PENDING;
    this.pendingBytes = 0;
  }

  /** Another SYN-ACK of the responder before any of its bytes: remember a different ISN as a candidate. */
  private noteSynAck(isn: number): void {
    const isns = this.synAckIsns!;
    if (this.pending.length !== 0 || isn >>> 0 === this.isn || isns.includes(isn) || isns.length >= MAX_SYN_ACK_ISNS) return;
    if (isns === ONE_SYN_ACK) this.synAckIsns = [this.isn, isn];
    else isns.push(isn);
  }

  /**
   * The initiator acknowledged `ack`: of several SYN-ACK ISNs, it took the one whose stream `ack` falls in
   * (the nearest at or below it). Without this, bytes after the other ISN read as a huge gap.
   */
  followAcknowledgedIsn(ack: number): void {
    let best = -1;
    let bestDistance = Infinity;
    for (const isn of this.synAckIsns!) {
      const distance = seqDiff(ack, (isn + 1) >>> 0);
      if (distance >= 0 && distance < bestDistance) {
        best = isn;
        bestDistance = distance;
      }
    }
    if (best < 0) return;
    this.switchIsn(best);
  }

  /** A data segment of the responder continuing exactly one of its SYN-ACK ISNs: that is the one in use. */
  followDataIsn(seq: number): void {
    for (const isn of this.synAckIsns!) if (((isn + 1) >>> 0) === seq) this.switchIsn(isn);
  }

  private switchIsn(isn: number): void {
    const next = (isn + 1) >>> 0;
    if (this.next !== next) {
      this.next = next;
      // Acknowledgements of the other ISN's sequence space say nothing about this one.
      this.ackedByPeer = -1;
    }
  }

  /** Takes `data.length + missing` bytes starting at `seq` (the last `missing` of them not captured). */
  accept<C>(sink: HalfStreamSink<C>, conn: C, direction: Direction, seq: number, data: Uint8Array, missing: number, frame: number, time: number): void {
    const offset = seqDiff(seq, this.next);
    const length = data.length + missing;
    if (offset <= 0) {
      if (offset + length <= 0) {
        sink.stats.retransmitted++;
        return;
      }
      if (offset < 0) sink.stats.retransmitted++;
      const waiting = this.pending[0];
      const reach = waiting === undefined ? length : seqDiff(waiting.seq, seq);
      if (reach < length) {
        // Bytes already waiting out of order are the first copy of that range: deliver up to them, let them
        // go, then take whatever of this segment lies beyond what they covered.
        const capturedHead = Math.min(data.length, reach);
        this.deliver(sink, conn, direction, data.subarray(0, capturedHead), reach - capturedHead, -offset, frame, time, undefined);
        this.drain(sink, conn, direction, undefined);
        this.accept(sink, conn, direction, (seq + reach) >>> 0, data.subarray(capturedHead), missing - (reach - capturedHead), frame, time);
        return;
      }
      this.deliver(sink, conn, direction, data, missing, -offset, frame, time, undefined);
      this.drain(sink, conn, direction, undefined);
      return;
    }
    sink.stats.outOfOrder++;
    if (this.ignored) {
      // Nothing is kept for an ignored direction: the hole is jumped over at once, only positions matter.
      sink.stats.ignoredBytes += offset;
      this.next = (this.next + offset) >>> 0;
      this.deliver(sink, conn, direction, data, missing, 0, frame, time, undefined);
      return;
    }
    if (this.pending.length >= sink.maxPendingSegments || this.pendingBytes + data.length > sink.maxPendingBytes) {
      // These holes are given up by tlsdiag's limit, not seen lost: the handler is told so.
      const givingUp = sink.pendingLimitReached(conn, frame);
      this.fillHoles(sink, conn, direction, this.pending.length > 0 ? endOf(this.pending[this.pending.length - 1]!) : seq, frame, time, givingUp);
      if (seqDiff(seq, this.next) > 0) this.gapTo(sink, conn, direction, seq, frame, time, givingUp);
      this.accept(sink, conn, direction, seq, data, missing, frame, time);
      return;
    }
    const segment: PendingSegment = { seq, data: data.slice(), missing, frame, time };
    let i = this.pending.length;
    while (i > 0 && seqDiff(this.pending[i - 1]!.seq, seq) > 0) i--;
    if (this.pending === NO_PENDING) this.pending = [];
    this.pending.splice(i, 0, segment);
    this.pendingBytes += data.length;
  }

  /**
   * Declares everything missing up to `until` lost, delivering the waiting segments in between; without waiting
   * segments, only as far as the peer acknowledged.
   */
  fillHoles<C>(sink: HalfStreamSink<C>, conn: C, direction: Direction, until: number, frame: number, time: number, ownLimit: string | undefined): void {
    while (this.pending.length > 0 && seqDiff(this.pending[0]!.seq, until) < 0) {
      const first = this.pending[0]!;
      if (seqDiff(first.seq, this.next) > 0) this.gapTo(sink, conn, direction, first.seq, first.frame, first.time, ownLimit);
      this.drain(sink, conn, direction, ownLimit);
    }
    if (this.pending.length === 0 && seqDiff(until, this.next) > 0 && this.ackedByPeer >= 0 && seqDiff(until, this.ackedByPeer) <= 0) {
      this.gapTo(sink, conn, direction, until, frame, time, ownLimit);
    }
  }

  /** The peer acknowledged bytes the capture never showed while later bytes wait: the hole will not be filled. */
  get ackedPastHole(): boolean {
    return this.pending.length > 0 && this.ackedByPeer >= 0 && seqDiff(this.ackedByPeer, this.next) > 0;
  }

  /**
   * The connection is over: what waits is delivered (holes become gaps), then bytes the peer acknowledged but
   * the capture never held are a final gap (bounded by the FIN). Nothing is kept after.
   */
  finish<C>(sink: HalfStreamSink<C>, conn: C, direction: Direction, lastFrame: number, lastTime: number): void {
    if (this.pending.length > 0) this.fillHoles(sink, conn, direction, endOf(this.pending[this.pending.length - 1]!), lastFrame, lastTime, undefined);
    if (this.next >= 0 && this.ackedByPeer >= 0) {
      const limit = this.finSeq >= 0 && seqDiff(this.ackedByPeer, this.finSeq) > 0 ? this.finSeq : this.ackedByPeer;
      const missing = seqDiff(limit, this.next);
      if (missing > 0 && missing < 0x40000000) this.gapTo(sink, conn, direction, limit, lastFrame, lastTime, undefined);
    }
    this.pending = NO_PENDING;
    this.pendingBytes = 0;
  }

  /** Hands bytes to the sink, skipping the first `skip` (already delivered); a cut tail becomes a gap. */
  private deliver<C>(sink: HalfStreamSink<C>, conn: C, direction: Direction, data: Uint8Array, missing: number, skip: number, frame: number, time: number, ownLimit: string | undefined): void {
    this.synAckIsns = null;
    const capturedPart = Math.max(0, data.length - skip);
    const missingPart = Math.min(missing, data.length + missing - skip);
    if (capturedPart > 0) {
      if (this.ignored) sink.stats.ignoredBytes += capturedPart;
      else sink.data(conn, direction, skip > 0 ? data.subarray(skip) : data, frame, time);
    }
    if (missingPart > 0) this.reportGap(sink, conn, direction, missingPart, frame, time, ownLimit);
    this.next = (this.next + capturedPart + missingPart) >>> 0;
  }

  private drain<C>(sink: HalfStreamSink<C>, conn: C, direction: Direction, ownLimit: string | undefined): void {
    while (this.pending.length > 0) {
      const first = this.pending[0]!;
      if (seqDiff(first.seq, this.next) > 0) break;
      this.pending.shift();
      this.pendingBytes -= first.data.length;
      const skip = -seqDiff(first.seq, this.next);
      if (skip >= first.data.length + first.missing) {
        sink.stats.retransmitted++;
        continue;
      }
      this.deliver(sink, conn, direction, first.data, first.missing, skip, first.frame, first.time, ownLimit);
    }
  }

  private gapTo<C>(sink: HalfStreamSink<C>, conn: C, direction: Direction, seq: number, frame: number, time: number, ownLimit: string | undefined): void {
    const missing = seqDiff(seq, this.next);
    if (missing <= 0) return;
    if (this.ignored) sink.stats.ignoredBytes += missing;
    else this.reportGap(sink, conn, direction, missing, frame, time, ownLimit);
    this.next = seq >>> 0;
  }

  private reportGap<C>(sink: HalfStreamSink<C>, conn: C, direction: Direction, missing: number, frame: number, time: number, ownLimit: string | undefined): void {
    sink.stats.gaps++;
    sink.stats.gapBytes += missing;
    if (!this.ignored) sink.gap(conn, direction, missing, frame, time, ownLimit);
  }
}

/**
 * The state of a direction that sent nothing yet, read in place of its HalfStream until it sends: a connection
 * that only ever carries its SYN (a flood) makes one HalfStream, not two. Frozen: a write to it is a bug.
 */
export const UNSEEN: Readonly<HalfStream> = Object.freeze(new HalfStream());

/** Signed distance a − b in sequence space (RFC 1982 serial arithmetic). */
export function seqDiff(a: number, b: number): number {
  return ((a - b) | 0);
}

function endOf(segment: PendingSegment): number {
  return (segment.seq + segment.data.length + segment.missing) >>> 0;
}
