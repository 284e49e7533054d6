import { randomBytes } from 'node:crypto';
import type { CaptureWarning } from '../capture/types.js';
import { formatAddress } from '../ip/address.js';
import type {
  CloseEvent,
  Direction,
  Endpoint,
  StreamConsumer,
  StreamControl,
  StreamHandler,
  TcpConnectionInfo,
  TcpSegment,
} from './types.js';

const RECENTLY_ENDED_KEPT = 4096;
const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;

export interface ReassemblyOptions {
  /** Out-of-order bytes kept per direction before giving up on the hole (it becomes a gap). Default 1 MiB. */
  maxPendingBytes?: number;
  /** Out-of-order segments kept per direction. Default 1024. */
  maxPendingSegments?: number;
  /** Connections tracked at once; beyond it the least recently active are ended. Default 100 000. */
  maxConnections?: number;
  /** Seconds of capture time without a packet after which a connection is ended. Default 300. */
  idleTimeout?: number;
}

export const DEFAULT_REASSEMBLY_OPTIONS: Required<ReassemblyOptions> = {
  maxPendingBytes: 1024 * 1024,
  maxPendingSegments: 1024,
  maxConnections: 100_000,
  idleTimeout: 300,
};

export interface ReassemblyStats {
  connections: number;
  /** Connections whose first packet was not a SYN (the capture began after they opened). */
  withoutSyn: number;
  /** Connections ended because they were idle or the table was full. */
  evicted: number;
  /** Segments that arrived before the bytes preceding them. */
  outOfOrder: number;
  /** Segments (or parts) whose bytes had already been delivered: retransmissions and overlaps. */
  retransmitted: number;
  gaps: number;
  gapBytes: number;
  /** Payload bytes counted but not kept because the consumer ignored their direction. */
  ignoredBytes: number;
}

/** How hard the connection table works: a debug figure, kept apart from the capture's statistics. */
export interface ConnectionTableStats {
  /** Table lookups, one per segment. */
  lookups: number;
  /** Connections compared with a segment's 4-tuple over all lookups (lookups + collisions walked). */
  probes: number;
  /** Most connections compared in one lookup: the longest chain of one hash value ever walked. */
  longestChain: number;
}

interface PendingSegment {
  seq: number;
  data: Uint8Array;
  missing: number;
  frame: number;
  time: number;
}

interface HalfStream {
  /** Next expected sequence number (unsigned 32-bit), or -1 until the first segment fixes it. */
  next: number;
  ignored: boolean;
  pending: PendingSegment[];
  pendingBytes: number;
  /** Sequence number of the FIN (the byte after the last payload byte), or -1. */
  finSeq: number;
  closed: boolean;
  /** Highest sequence number of this direction that the peer acknowledged, or -1. */
  ackedByPeer: number;
  /**
   * Responder: the initial sequence numbers of its SYN-ACKs (ONE_SYN_ACK while there is one, `isn`), kept until
   * its first bytes are delivered (then null). With several different ones (TCP Fast Open, SYN proxies) `next` follows the one the initiator
   * acknowledges, or the one the responder's first data segment continues.
   */
  synAckIsns: number[] | null;
  /** Sequence number of this direction's SYN, or -1. */
  isn: number;
}

/** SYN-ACKs of different ISNs remembered for one connection (a hostile capture may send thousands). */
const MAX_SYN_ACK_ISNS = 4;

/**
 * `synAckIsns` of a responder that sent one SYN-ACK so far, its ISN being `isn`: no array per connection (an
 * array is made only when a second SYN-ACK of another ISN comes). Never changed.
 */
const ONE_SYN_ACK: number[] = [];

/** The pending list of every direction with nothing out of order (most): an array is made on the first segment. */
const NO_PENDING: PendingSegment[] = [];

/** No copy of the addresses for IPv4: they are compared as the integers initiator4 and responder4. */
const IPV4_ADDRESSES = new Uint8Array(0);

/**
 * The state of a direction that sent nothing yet, read in place of its HalfStream until it sends: a connection
 * that only ever carries its SYN (a flood) makes one HalfStream, not two. Frozen: a write to it is a bug.
 */
const UNSEEN: Readonly<HalfStream> = Object.freeze(newHalf());

/**
 * One tracked TCP connection: what the consumer is told about it (TcpConnectionInfo), the StreamControl its
 * consumer gets, and its two half-streams, in one object. A flood of 100 000 connections that never carry a
 * byte is the case that counts (docs/limits.md): the endpoints, byte and packet counts are made only when read,
 * and a direction's HalfStream when it first sends.
 */
class Connection implements StreamControl, TcpConnectionInfo {
  handler: StreamHandler | null = null;
  /** The initiator's and the responder's direction, null until it sends (see UNSEEN). */
  half0: HalfStream | null = null;
  half1: HalfStream | null = null;
  ended = false;
  firstClose: CloseEvent | null = null;
  lastFrame: number;
  lastTime: number;
  bytes0 = 0;
  bytes1 = 0;
  packets0 = 0;
  packets1 = 0;

  constructor(
    readonly id: number,
    readonly hash: number,
    readonly ipVersion: 4 | 6,
    /** IPv6: initiator address then responder address, 16 bytes each; IPv4: empty. */
    readonly addresses: Uint8Array,
    /** IPv4: the two addresses as 32-bit integers. */
    readonly initiator4: number,
    readonly responder4: number,
    readonly initiatorPort: number,
    readonly responderPort: number,
    readonly sawSyn: boolean,
    readonly firstFrame: number,
    readonly firstTime: number,
    /** The next older connection whose 4-tuple has the same hash (the table holds the newest). */
    public nextInBucket: Connection | null,
  ) {
    this.lastFrame = firstFrame;
    this.lastTime = firstTime;
  }

  get initiator(): Endpoint {
    return { ip: this.addressText(0), port: this.initiatorPort };
  }

  get responder(): Endpoint {
    return { ip: this.addressText(1), port: this.responderPort };
  }

  get bytes(): [number, number] {
    return [this.bytes0, this.bytes1];
  }

  get packets(): [number, number] {
    return [this.packets0, this.packets1];
  }

  /** A direction's state for reading: UNSEEN until it sent. */
  peek(direction: Direction | number): Readonly<HalfStream> {
    return (direction === 0 ? this.half0 : this.half1) ?? UNSEEN;
  }

  /** A direction's state for changing it, made on first use. */
  half(direction: Direction | number): HalfStream {
    if (direction === 0) return (this.half0 ??= newHalf());
    return (this.half1 ??= newHalf());
  }

  ignore(direction: Direction): void {
    const half = this.half(direction);
    half.ignored = true;
    half.pending = NO_PENDING;
    half.pendingBytes = 0;
  }

  /** An endpoint's address as text (0: the initiator's), made when asked: no string is kept per connection. */
  private addressText(end: 0 | 1): string {
    if (this.ipVersion === 6) return formatAddress(this.addresses, end * 16, 6);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, end === 0 ? this.initiator4 : this.responder4);
    return formatAddress(bytes, 0, 4);
  }
}

/**
 * Rebuilds the byte stream of each direction of each TCP connection from segments in capture order and
 * hands it to the consumer's handlers: in order, without duplicates, with explicit gaps where the capture
 * lost bytes. The first copy of a byte wins when segments overlap. Memory is bounded by the options.
 */
export class TcpReassembler {
  readonly stats: ReassemblyStats = {
    connections: 0,
    withoutSyn: 0,
    evicted: 0,
    outOfOrder: 0,
    retransmitted: 0,
    gaps: 0,
    gapBytes: 0,
    ignoredBytes: 0,
  };
  readonly tableStats: ConnectionTableStats = { lookups: 0, probes: 0, longestChain: 0 };
  private readonly options: Required<ReassemblyOptions>;
  /** Secret key of the 4-tuple hash, new for each table: a capture cannot be crafted to make every tuple collide. */
  private readonly key = new TupleHashKey();
  /** Hash of the 4-tuple → newest connection with it, older ones chained by nextInBucket (no array per bucket). */
  private readonly table = new Map<number, Connection>();
  private tracked = 0;
  private nextId = 0;
  private lastSweepTime = 0;
  /** Ended connections stay in the table a while so their last ACKs do not open phantom connections. */
  private readonly recentlyEnded: Connection[] = [];
  private warnedFull = false;

  constructor(
    private readonly consumer: StreamConsumer,
    options: ReassemblyOptions = {},
    private readonly onWarning?: (warning: CaptureWarning) => void,
  ) {
    this.options = { ...DEFAULT_REASSEMBLY_OPTIONS, ...options };
  }

  /** Number of connections currently tracked. */
  get size(): number {
    return this.tracked;
  }

  segment(seg: TcpSegment): void {
    // IPv4 addresses as integers, once per packet: the hash and the table lookup compare numbers.
    if (seg.ipVersion === 4) {
      this.src4 = readInt32(seg.bytes, seg.srcAddrOffset);
      this.dst4 = readInt32(seg.bytes, seg.dstAddrOffset);
    }
    const hash = seg.ipVersion === 4 ? hash4(this.key, this.src4, seg.srcPort, this.dst4, seg.dstPort) : hash6(this.key, seg);
    let conn = this.lookup(hash, seg);
    let fromInitiator = conn !== null && this.isFromInitiator(conn, seg);
    const isSyn = (seg.flags & (SYN | ACK)) === SYN;
    if (conn !== null && isSyn && (conn.ended || conn.peek(0).finSeq >= 0 || conn.peek(0).closed || !fromInitiator || !isRetransmittedSyn(conn.peek(0), seg.seq))) {
      // A new SYN on a reused 4-tuple starts a new connection (a retransmitted SYN does not).
      if (!conn.ended) this.endConnection(conn);
      this.remove(conn);
      conn = null;
    }
    if (conn === null) {
      conn = this.open(hash, seg);
      fromInitiator = this.isFromInitiator(conn, seg);
    } else if (conn.ended) {
      return; // a straggler after RST or both FINs: nothing left to deliver
    }
    const direction: Direction = fromInitiator ? 0 : 1;
    conn.lastFrame = seg.frame;
    conn.lastTime = seg.time;
    if (direction === 0) {
      conn.packets0++;
      conn.bytes0 += seg.payloadLength + seg.missingPayload;
    } else {
      conn.packets1++;
      conn.bytes1 += seg.payloadLength + seg.missingPayload;
    }

    const half = conn.half(direction);
    // The peer's state is only read unless it sent something (then it exists): a silent peer costs nothing.
    const peer = conn.peek(1 - direction);
    if ((seg.flags & (SYN | ACK)) === ACK && peer.synAckIsns !== null && peer.synAckIsns.length > 1) this.followAcknowledgedIsn(conn.half(1 - direction), seg.ack);
    if ((seg.flags & ACK) !== 0 && peer.next >= 0) {
      if (peer.ackedByPeer < 0 || seqDiff(seg.ack, peer.ackedByPeer) > 0) conn.half(1 - direction).ackedByPeer = seg.ack;
    }
    if ((seg.flags & SYN) !== 0) {
      if (half.next < 0) {
        half.next = (seg.seq + 1) >>> 0;
        half.isn = seg.seq >>> 0;
        if ((seg.flags & ACK) !== 0) half.synAckIsns = ONE_SYN_ACK;
      } else if ((seg.flags & ACK) !== 0 && half.synAckIsns !== null) {
        this.noteSynAck(half, seg.seq);
      }
    } else if (half.synAckIsns !== null && half.synAckIsns.length > 1 && seg.payloadLength + seg.missingPayload > 0) {
      this.followDataIsn(half, seg.seq);
    } else if (half.next < 0 && (seg.payloadLength + seg.missingPayload > 0 || (seg.flags & FIN) !== 0)) {
      half.next = seg.seq;
    }
    if ((seg.flags & RST) !== 0) {
      this.recordClose(conn, direction, 'rst', seg.frame, seg.time);
      this.endConnection(conn);
      return;
    }
    const length = seg.payloadLength + seg.missingPayload;
    const dataSeq = (seg.flags & SYN) !== 0 ? (seg.seq + 1) >>> 0 : seg.seq;
    if ((seg.flags & FIN) !== 0 && half.finSeq < 0) half.finSeq = (dataSeq + length) >>> 0;
    if (length > 0 && half.next >= 0) {
      this.accept(conn, direction, dataSeq, seg.bytes.subarray(seg.payloadOffset, seg.payloadOffset + seg.payloadLength), seg.missingPayload, seg.frame, seg.time);
    }
    // The peer acknowledged bytes the capture never showed, while later bytes wait: the hole will not be filled.
    if (peer.pending.length > 0 && peer.ackedByPeer >= 0 && seqDiff(peer.ackedByPeer, peer.next) > 0) {
      this.fillHoles(conn, (1 - direction) as Direction, peer.ackedByPeer, seg.frame, seg.time);
    }
    this.checkFin(conn, direction, seg.frame, seg.time);
    if (conn.peek(0).closed && conn.peek(1).closed) this.endConnection(conn);
    if (seg.time - this.lastSweepTime > this.options.idleTimeout / 4) this.sweep(seg.time);
  }

  /** Another SYN-ACK of the responder before any of its bytes: remember a different ISN as a candidate. */
  private noteSynAck(half: HalfStream, isn: number): void {
    const isns = half.synAckIsns!;
    if (half.pending.length !== 0 || isn >>> 0 === half.isn || isns.includes(isn) || isns.length >= MAX_SYN_ACK_ISNS) return;
    if (isns === ONE_SYN_ACK) half.synAckIsns = [half.isn, isn];
    else isns.push(isn);
  }

  /**
   * The initiator acknowledged `ack`: of several SYN-ACK ISNs, it took the one whose stream `ack` falls in
   * (the nearest at or below it). Without this, bytes after the other ISN read as a huge gap.
   */
  private followAcknowledgedIsn(half: HalfStream, ack: number): void {
    let best = -1;
    let bestDistance = Infinity;
    for (const isn of half.synAckIsns!) {
      const distance = seqDiff(ack, (isn + 1) >>> 0);
      if (distance >= 0 && distance < bestDistance) {
        best = isn;
        bestDistance = distance;
      }
    }
    if (best < 0) return;
    this.switchIsn(half, best);
  }

  /** A data segment of the responder continuing exactly one of its SYN-ACK ISNs: that is the one in use. */
  private followDataIsn(half: HalfStream, seq: number): void {
    for (const isn of half.synAckIsns!) if (((isn + 1) >>> 0) === seq) this.switchIsn(half, isn);
  }

  private switchIsn(half: HalfStream, isn: number): void {
    const next = (isn + 1) >>> 0;
    if (half.next !== next) {
      half.next = next;
      // Acknowledgements of the other ISN's sequence space say nothing about this one.
      half.ackedByPeer = -1;
    }
  }

  /** Ends every connection still open (the capture is over), oldest first. */
  finish(): void {
    for (const conn of inOpeningOrder(this.connections())) if (!conn.ended) this.endConnection(conn);
    this.table.clear();
    this.tracked = 0;
  }

  private lookup(hash: number, seg: TcpSegment): Connection | null {
    const stats = this.tableStats;
    stats.lookups++;
    let walked = 0;
    let found: Connection | null = null;
    for (let conn = this.table.get(hash) ?? null; conn !== null; conn = conn.nextInBucket) {
      walked++;
      if (this.matches(conn, seg)) {
        found = conn;
        break;
      }
    }
    stats.probes += walked;
    if (walked > stats.longestChain) stats.longestChain = walked;
    return found;
  }

  private open(hash: number, seg: TcpSegment): Connection {
    if (this.tracked >= this.options.maxConnections) this.evictOldest(seg.time);
    // Who opened it: the SYN sender; the SYN-ACK's receiver; else the side with the higher (ephemeral) port.
    const sawSyn = (seg.flags & (SYN | ACK)) === SYN;
    let senderIsInitiator: boolean;
    if ((seg.flags & SYN) !== 0) senderIsInitiator = (seg.flags & ACK) === 0;
    else senderIsInitiator = seg.srcPort >= seg.dstPort;
    const srcOffset = seg.srcAddrOffset;
    const dstOffset = seg.dstAddrOffset;
    let addresses = IPV4_ADDRESSES;
    if (seg.ipVersion === 6) {
      addresses = new Uint8Array(32);
      addresses.set(seg.bytes.subarray(senderIsInitiator ? srcOffset : dstOffset, (senderIsInitiator ? srcOffset : dstOffset) + 16), 0);
      addresses.set(seg.bytes.subarray(senderIsInitiator ? dstOffset : srcOffset, (senderIsInitiator ? dstOffset : srcOffset) + 16), 16);
    }
    const initiator4 = seg.ipVersion === 4 ? (senderIsInitiator ? this.src4 : this.dst4) : 0;
    const responder4 = seg.ipVersion === 4 ? (senderIsInitiator ? this.dst4 : this.src4) : 0;
    const initiatorPort = senderIsInitiator ? seg.srcPort : seg.dstPort;
    const responderPort = senderIsInitiator ? seg.dstPort : seg.srcPort;
    const conn = new Connection(
      this.nextId++,
      hash,
      seg.ipVersion,
      addresses,
      initiator4,
      responder4,
      initiatorPort,
      responderPort,
      sawSyn,
      seg.frame,
      seg.time,
      this.table.get(hash) ?? null,
    );
    this.stats.connections++;
    if (!sawSyn) this.stats.withoutSyn++;
    this.table.set(hash, conn);
    this.tracked++;
    conn.handler = this.consumer.open(conn, conn);
    if (conn.handler === null) {
      conn.ignore(0);
      conn.ignore(1);
    }
    return conn;
  }

  /** Takes `length` bytes starting at `seq` (the last `missing` of them not captured). */
  private accept(conn: Connection, direction: Direction, seq: number, data: Uint8Array, missing: number, frame: number, time: number): void {
    const half = conn.half(direction);
    const offset = seqDiff(seq, half.next);
    const length = data.length + missing;
    if (offset <= 0) {
      if (offset + length <= 0) {
        this.stats.retransmitted++;
        return;
      }
      if (offset < 0) this.stats.retransmitted++;
      const waiting = half.pending[0];
      const reach = waiting === undefined ? length : seqDiff(waiting.seq, seq);
      if (reach < length) {
        // Bytes already waiting out of order are the first copy of that range: deliver up to them, let them
        // go, then take whatever of this segment lies beyond what they covered.
        const capturedHead = Math.min(data.length, reach);
        this.deliver(conn, direction, data.subarray(0, capturedHead), reach - capturedHead, -offset, frame, time);
        this.drain(conn, direction);
        this.accept(conn, direction, (seq + reach) >>> 0, data.subarray(capturedHead), missing - (reach - capturedHead), frame, time);
        return;
      }
      this.deliver(conn, direction, data, missing, -offset, frame, time);
      this.drain(conn, direction);
      return;
    }
    this.stats.outOfOrder++;
    if (half.ignored) {
      // Nothing is kept for an ignored direction: the hole is jumped over at once, only positions matter.
      this.stats.ignoredBytes += offset;
      half.next = (half.next + offset) >>> 0;
      this.deliver(conn, direction, data, missing, 0, frame, time);
      return;
    }
    if (half.pending.length >= this.options.maxPendingSegments || half.pendingBytes + data.length > this.options.maxPendingBytes) {
      this.warnOnce(conn, 'reassembly-limit', `more than ${this.options.maxPendingBytes} out-of-order bytes waiting in one direction; the missing bytes are treated as lost`, frame);
      // These holes are given up by tlsdiag's limit, not seen lost: the handler is told so.
      this.givingUp = `more than ${this.options.maxPendingBytes} bytes or ${this.options.maxPendingSegments} segments waited out of order in one direction, tlsdiag's reassembly limit: the bytes missing before them were given up as lost`;
      this.fillHoles(conn, direction, half.pending.length > 0 ? endOf(half.pending[half.pending.length - 1]!) : seq, frame, time);
      if (seqDiff(seq, half.next) > 0) this.gapTo(conn, direction, seq, frame, time);
      this.givingUp = undefined;
      this.accept(conn, direction, seq, data, missing, frame, time);
      return;
    }
    const segment: PendingSegment = { seq, data: data.slice(), missing, frame, time };
    let i = half.pending.length;
    while (i > 0 && seqDiff(half.pending[i - 1]!.seq, seq) > 0) i--;
    if (half.pending === NO_PENDING) half.pending = [];
    half.pending.splice(i, 0, segment);
    half.pendingBytes += data.length;
  }

  /** Hands bytes to the handler, skipping the first `skip` (already delivered); a cut tail becomes a gap. */
  private deliver(conn: Connection, direction: Direction, data: Uint8Array, missing: number, skip: number, frame: number, time: number): void {
    const half = conn.half(direction);
    half.synAckIsns = null;
    const capturedPart = Math.max(0, data.length - skip);
    const missingPart = Math.min(missing, data.length + missing - skip);
    if (capturedPart > 0) {
      if (half.ignored) this.stats.ignoredBytes += capturedPart;
      else conn.handler?.data(direction, skip > 0 ? data.subarray(skip) : data, frame, time);
    }
    if (missingPart > 0) this.reportGap(conn, direction, missingPart, frame, time);
    half.next = (half.next + capturedPart + missingPart) >>> 0;
  }

  private drain(conn: Connection, direction: Direction): void {
    const half = conn.half(direction);
    while (half.pending.length > 0) {
      const first = half.pending[0]!;
      if (seqDiff(first.seq, half.next) > 0) break;
      half.pending.shift();
      half.pendingBytes -= first.data.length;
      const skip = -seqDiff(first.seq, half.next);
      if (skip >= first.data.length + first.missing) {
        this.stats.retransmitted++;
        continue;
      }
      this.deliver(conn, direction, first.data, first.missing, skip, first.frame, first.time);
    }
  }

  /** Declares everything missing up to `until` lost, delivering the waiting segments in between. */
  private fillHoles(conn: Connection, direction: Direction, until: number, frame: number, time: number): void {
    const half = conn.half(direction);
    while (half.pending.length > 0 && seqDiff(half.pending[0]!.seq, until) < 0) {
      const first = half.pending[0]!;
      if (seqDiff(first.seq, half.next) > 0) this.gapTo(conn, direction, first.seq, first.frame, first.time);
      this.drain(conn, direction);
    }
    if (half.pending.length === 0 && seqDiff(until, half.next) > 0 && half.ackedByPeer >= 0 && seqDiff(until, half.ackedByPeer) <= 0) {
      this.gapTo(conn, direction, until, frame, time);
    }
  }

  private gapTo(conn: Connection, direction: Direction, seq: number, frame: number, time: number): void {
    const half = conn.half(direction);
    const missing = seqDiff(seq, half.next);
    if (missing <= 0) return;
    if (half.ignored) this.stats.ignoredBytes += missing;
    else this.reportGap(conn, direction, missing, frame, time);
    half.next = seq >>> 0;
  }

  private reportGap(conn: Connection, direction: Direction, missing: number, frame: number, time: number): void {
    this.stats.gaps++;
    this.stats.gapBytes += missing;
    if (!conn.peek(direction).ignored) conn.handler?.gap(direction, missing, frame, time, this.givingUp);
  }

  /** Set while holes are declared lost because of the reassembly limit (the reason handed to the handler). */
  private givingUp: string | undefined = undefined;

  private checkFin(conn: Connection, direction: Direction, frame: number, time: number): void {
    const half = conn.half(direction);
    if (half.closed || half.finSeq < 0 || half.next < 0 || seqDiff(half.next, half.finSeq) < 0) return;
    half.closed = true;
    this.recordClose(conn, direction, 'fin', frame, time);
  }

  private recordClose(conn: Connection, direction: Direction, kind: 'fin' | 'rst', frame: number, time: number): void {
    const event: CloseEvent = { direction, kind, frame, time };
    if (conn.firstClose === null) conn.firstClose = event;
    conn.handler?.close?.(event);
  }

  /** Delivers what can still be delivered (holes become gaps), then tells the handler the connection is over. */
  private endConnection(conn: Connection): void {
    if (conn.ended) return;
    conn.ended = true;
    for (const direction of [0, 1] as const) {
      const half = direction === 0 ? conn.half0 : conn.half1;
      if (half === null) continue; // it sent nothing: nothing waits, nothing was acknowledged
      if (half.pending.length > 0) this.fillHoles(conn, direction, endOf(half.pending[half.pending.length - 1]!), conn.lastFrame, conn.lastTime);
      // Bytes the peer acknowledged but the capture never held: lost at the end of the capture.
      if (half.next >= 0 && half.ackedByPeer >= 0) {
        const limit = half.finSeq >= 0 && seqDiff(half.ackedByPeer, half.finSeq) > 0 ? half.finSeq : half.ackedByPeer;
        const missing = seqDiff(limit, half.next);
        if (missing > 0 && missing < 0x40000000) this.gapTo(conn, direction, limit, conn.lastFrame, conn.lastTime);
      }
      half.pending = NO_PENDING;
      half.pendingBytes = 0;
    }
    conn.handler?.end(conn);
    conn.handler = null;
    this.recentlyEnded.push(conn);
    if (this.recentlyEnded.length > RECENTLY_ENDED_KEPT) {
      for (const old of this.recentlyEnded.splice(0, RECENTLY_ENDED_KEPT / 2)) this.remove(old);
    }
  }

  private remove(conn: Connection): void {
    let previous: Connection | null = null;
    for (let at = this.table.get(conn.hash) ?? null; at !== null; previous = at, at = at.nextInBucket) {
      if (at !== conn) continue;
      if (previous !== null) previous.nextInBucket = conn.nextInBucket;
      else if (conn.nextInBucket !== null) this.table.set(conn.hash, conn.nextInBucket);
      else this.table.delete(conn.hash);
      conn.nextInBucket = null;
      this.tracked--;
      return;
    }
  }

  /** Every tracked connection, collected first so the caller may end and remove them (in the table's order,
   * which follows the keyed hash: sort before anything observable depends on it). */
  private connections(): Connection[] {
    const all: Connection[] = [];
    for (const head of this.table.values()) {
      for (let conn: Connection | null = head; conn !== null; conn = conn.nextInBucket) all.push(conn);
    }
    return all;
  }

  /** Ends idle connections and forgets ended ones. */
  private sweep(now: number): void {
    this.lastSweepTime = now;
    const timeout = this.options.idleTimeout;
    const idle = this.connections().filter((conn) => now - conn.lastTime > timeout);
    for (const conn of inOpeningOrder(idle)) {
      if (!conn.ended) {
        this.stats.evicted++;
        this.endConnection(conn);
      }
      this.remove(conn);
    }
  }

  /** The table is full: end the least recently active quarter (one sort per many new connections). */
  private evictOldest(now: number): void {
    this.sweep(now);
    if (this.tracked < this.options.maxConnections) return;
    if (!this.warnedFull) {
      this.warnedFull = true;
      this.onWarning?.({
        code: 'too-many-connections',
        message: `more than ${this.options.maxConnections} TCP connections open at once; the least recently active are ended early`,
      });
    }
    const all = this.connections();
    all.sort((a, b) => a.lastTime - b.lastTime || a.lastFrame - b.lastFrame);
    const count = Math.max(1, Math.floor(all.length / 4));
    for (let i = 0; i < count; i++) {
      const conn = all[i]!;
      if (!conn.ended) {
        this.stats.evicted++;
        this.endConnection(conn);
      }
      this.remove(conn);
    }
  }

  /** The current segment's IPv4 addresses as integers (set at the start of segment()). */
  private src4 = 0;
  private dst4 = 0;

  private isFromInitiator(conn: Connection, seg: TcpSegment): boolean {
    if (seg.srcPort !== conn.initiatorPort || seg.dstPort !== conn.responderPort) return false;
    if (conn.ipVersion === 4) return this.src4 === conn.initiator4 && this.dst4 === conn.responder4;
    return sameAddress(seg.bytes, seg.srcAddrOffset, conn.addresses, 0, 16) && sameAddress(seg.bytes, seg.dstAddrOffset, conn.addresses, 16, 16);
  }

  private matches(conn: Connection, seg: TcpSegment): boolean {
    if (conn.ipVersion !== seg.ipVersion) return false;
    if (this.isFromInitiator(conn, seg)) return true;
    if (seg.srcPort !== conn.responderPort || seg.dstPort !== conn.initiatorPort) return false;
    if (conn.ipVersion === 4) return this.src4 === conn.responder4 && this.dst4 === conn.initiator4;
    return sameAddress(seg.bytes, seg.srcAddrOffset, conn.addresses, 16, 16) && sameAddress(seg.bytes, seg.dstAddrOffset, conn.addresses, 0, 16);
  }

  private warnOnce(conn: Connection, code: string, message: string, frame: number): void {
    const key = `${code}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.onWarning?.({ code, message: `${message} (first at frame ${frame}, connection ${conn.initiator.ip}:${conn.initiator.port} → ${conn.responder.ip}:${conn.responder.port})`, frame });
  }

  private readonly warned = new Set<string>();
}

/** Connections by id: the order they were opened in, the same on every run whatever the hash key. */
function inOpeningOrder(connections: Connection[]): Connection[] {
  return connections.sort((a, b) => a.id - b.id);
}

function newHalf(): HalfStream {
  return { next: -1, ignored: false, pending: NO_PENDING, pendingBytes: 0, finSeq: -1, closed: false, ackedByPeer: -1, synAckIsns: null, isn: -1 };
}

/**
 * The initiator's SYN again: the same ISN. With TCP Fast Open the first SYN carried data, so `next` has moved
 * past ISN + 1 and only the ISN itself tells a retransmission from a new connection.
 */
function isRetransmittedSyn(initiator: Readonly<HalfStream>, seq: number): boolean {
  if (initiator.isn >= 0) return initiator.isn === seq >>> 0;
  return seqDiff(seq + 1, initiator.next) === 0;
}

/** Signed distance a − b in sequence space (RFC 1982 serial arithmetic). */
export function seqDiff(a: number, b: number): number {
  return ((a - b) | 0);
}

function endOf(segment: PendingSegment): number {
  return (segment.seq + segment.data.length + segment.missing) >>> 0;
}

function readInt32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
}

/** Four random 32-bit words drawn once per table (node:crypto), mixed into every 4-tuple hash. */
class TupleHashKey {
  readonly k0: number;
  readonly k1: number;
  readonly k2: number;
  readonly k3: number;

  constructor() {
    const words = new Uint32Array(randomBytes(16).buffer.slice(0, 16));
    this.k0 = words[0]! | 0;
    this.k1 = words[1]! | 0;
    this.k2 = words[2]! | 0;
    this.k3 = words[3]! | 0;
  }
}

/** MurmurHash3's 32-bit finaliser: a bijection whose every output bit depends on every input bit. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * One endpoint (address, then port) under the key. Each word passes through the bijection after the key is
 * mixed in, so which inputs collide depends on the key: without it, a capture cannot aim tuples at one value.
 */
function endpoint4(key: TupleHashKey, address: number, port: number): number {
  return mix32(mix32(address ^ key.k0) ^ port ^ key.k1);
}

/** The two endpoints combined so that either direction gives the same value; 30 bits, a small integer (Smi) in
 * V8, so the table key is never a boxed heap number. */
function combine(key: TupleHashKey, a: number, b: number): number {
  return mix32(((a + b) ^ Math.imul(a ^ key.k3, b ^ key.k3)) ^ key.k2) & 0x3fffffff;
}

/** The keyed hash of an IPv4 4-tuple, from the addresses as integers: the same value whichever direction. */
function hash4(key: TupleHashKey, src: number, srcPort: number, dst: number, dstPort: number): number {
  return combine(key, endpoint4(key, src, srcPort), endpoint4(key, dst, dstPort));
}

/** The keyed hash of an IPv6 4-tuple, the same whichever direction, computed without allocating. */
function hash6(key: TupleHashKey, seg: TcpSegment): number {
  const bytes = seg.bytes;
  let a = key.k0;
  let b = key.k0;
  for (let i = 0; i < 16; i += 4) {
    a = mix32(a ^ readInt32(bytes, seg.srcAddrOffset + i));
    b = mix32(b ^ readInt32(bytes, seg.dstAddrOffset + i));
  }
  return combine(key, mix32(a ^ seg.srcPort ^ key.k1), mix32(b ^ seg.dstPort ^ key.k1));
}

function sameAddress(bytes: Uint8Array, offset: number, addresses: Uint8Array, at: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (bytes[offset + i] !== addresses[at + i]) return false;
  return true;
}
