import type { CaptureWarning } from '../capture/types.js';
import type { TcpSegment } from '../ip/tcp-segment.js';
import { ConnectionTable, type ConnectionTableStats } from './connection-table.js';
import type { TcpConnection } from './connection.js';
import type { HalfStreamSink } from './half-stream.js';
import type { CloseEvent, Direction, StreamConsumer } from './types.js';

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

/**
 * Rebuilds the byte stream of each direction of each TCP connection from segments in capture order and
 * hands it to the consumer's handlers: in order, without duplicates, with explicit gaps where the capture
 * lost bytes. The first copy of a byte wins when segments overlap. Memory is bounded by the options.
 * The connections are held by a ConnectionTable, each direction's stream by a HalfStream; this class decides
 * what a segment does to them (opens, SYNs, acknowledgements, FIN and RST, ends) and is the half-streams' sink.
 */
export class TcpReassembler implements HalfStreamSink<TcpConnection> {
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
  readonly maxPendingBytes: number;
  readonly maxPendingSegments: number;
  private readonly options: Required<ReassemblyOptions>;
  private readonly table = new ConnectionTable();
  private nextId = 0;
  private lastSweepTime = 0;
  private warnedFull = false;
  private readonly warned = new Set<string>();

  constructor(
    private readonly consumer: StreamConsumer,
    options: ReassemblyOptions = {},
    private readonly onWarning?: (warning: CaptureWarning) => void,
  ) {
    this.options = { ...DEFAULT_REASSEMBLY_OPTIONS, ...options };
    this.maxPendingBytes = this.options.maxPendingBytes;
    this.maxPendingSegments = this.options.maxPendingSegments;
  }

  /** How hard the connection table worked (debug: the hostile-input tests read it). */
  get tableStats(): ConnectionTableStats {
    return this.table.stats;
  }

  /** Number of connections currently tracked. */
  get size(): number {
    return this.table.size;
  }

  segment(seg: TcpSegment): void {
    const table = this.table;
    let conn = table.find(seg);
    let fromInitiator = conn !== null && table.isFromInitiator(conn, seg);
    const isSyn = (seg.flags & (SYN | ACK)) === SYN;
    if (conn !== null && isSyn) {
      const initiator = conn.peek(0);
      if (conn.ended || initiator.finSeq >= 0 || initiator.closed || !fromInitiator || !initiator.isRetransmittedSyn(seg.seq)) {
        // A new SYN on a reused 4-tuple starts a new connection (a retransmitted SYN does not).
        if (!conn.ended) this.endConnection(conn);
        table.remove(conn);
        conn = null;
      }
    }
    if (conn === null) {
      conn = this.open(seg);
      fromInitiator = table.isFromInitiator(conn, seg);
    } else if (conn.ended) {
      return; // a straggler after RST or both FINs: nothing left to deliver
    }
    const direction: Direction = fromInitiator ? 0 : 1;
    const length = seg.payloadLength + seg.missingPayload;
    conn.count(direction, length, seg.frame, seg.time);

    const half = conn.half(direction);
    // The peer's state exists once it sent something; a silent peer (a SYN flood's) costs nothing.
    const peer = direction === 0 ? conn.half1 : conn.half0;
    if (peer !== null && (seg.flags & (SYN | ACK)) === ACK && peer.followsSynAcks) peer.followAcknowledgedIsn(seg.ack);
    if (peer !== null && (seg.flags & ACK) !== 0) peer.acknowledged(seg.ack);
    if ((seg.flags & SYN) !== 0) {
      half.syn(seg.seq, (seg.flags & ACK) !== 0);
    } else if (half.followsSynAcks && length > 0) {
      half.followDataIsn(seg.seq);
    } else if (half.next < 0 && (length > 0 || (seg.flags & FIN) !== 0)) {
      half.next = seg.seq;
    }
    if ((seg.flags & RST) !== 0) {
      this.recordClose(conn, direction, 'rst', seg.frame, seg.time);
      this.endConnection(conn);
      return;
    }
    const dataSeq = (seg.flags & SYN) !== 0 ? (seg.seq + 1) >>> 0 : seg.seq;
    if ((seg.flags & FIN) !== 0 && half.finSeq < 0) half.finSeq = (dataSeq + length) >>> 0;
    if (length > 0 && half.next >= 0) {
      half.accept(this, conn, direction, dataSeq, seg.bytes.subarray(seg.payloadOffset, seg.payloadOffset + seg.payloadLength), seg.missingPayload, seg.frame, seg.time);
    }
    // The peer acknowledged bytes the capture never showed, while later bytes wait: the hole will not be filled.
    if (peer !== null && peer.ackedPastHole) peer.fillHoles(this, conn, (1 - direction) as Direction, peer.ackedByPeer, seg.frame, seg.time, undefined);
    if (half.reachedFin) {
      half.closed = true;
      this.recordClose(conn, direction, 'fin', seg.frame, seg.time);
    }
    if (conn.peek(0).closed && conn.peek(1).closed) this.endConnection(conn);
    if (seg.time - this.lastSweepTime > this.options.idleTimeout / 4) this.sweep(seg.time);
  }

  /** Ends every connection still open (the capture is over), oldest first. */
  finish(): void {
    for (const conn of this.table.all()) if (!conn.ended) this.endConnection(conn);
    this.table.clear();
  }

  // HalfStreamSink: what the half-streams hand over.

  data(conn: TcpConnection, direction: Direction, data: Uint8Array, frame: number, time: number): void {
    conn.handler?.data(direction, data, frame, time);
  }

  gap(conn: TcpConnection, direction: Direction, missing: number, frame: number, time: number, ownLimit: string | undefined): void {
    conn.handler?.gap(direction, missing, frame, time, ownLimit);
  }

  pendingLimitReached(conn: TcpConnection, frame: number): string {
    const { maxPendingBytes, maxPendingSegments } = this.options;
    this.warnOnce(conn, 'reassembly-limit', `more than ${maxPendingBytes} out-of-order bytes waiting in one direction; the missing bytes are treated as lost`, frame);
    return `more than ${maxPendingBytes} bytes or ${maxPendingSegments} segments waited out of order in one direction, tlsdiag's reassembly limit: the bytes missing before them were given up as lost`;
  }

  private open(seg: TcpSegment): TcpConnection {
    if (this.table.size >= this.options.maxConnections) this.evictOldest(seg.time);
    // Who opened it: the SYN sender; the SYN-ACK's receiver; else the side with the higher (ephemeral) port.
    const sawSyn = (seg.flags & (SYN | ACK)) === SYN;
    let senderIsInitiator: boolean;
    if ((seg.flags & SYN) !== 0) senderIsInitiator = (seg.flags & ACK) === 0;
    else senderIsInitiator = seg.srcPort >= seg.dstPort;
    const conn = this.table.add(seg, senderIsInitiator, this.nextId++, sawSyn);
    this.stats.connections++;
    if (!sawSyn) this.stats.withoutSyn++;
    conn.handler = this.consumer.open(conn, conn);
    if (conn.handler === null) {
      conn.ignore(0);
      conn.ignore(1);
    }
    return conn;
  }

  private recordClose(conn: TcpConnection, direction: Direction, kind: 'fin' | 'rst', frame: number, time: number): void {
    const event: CloseEvent = { direction, kind, frame, time };
    if (conn.firstClose === null) conn.firstClose = event;
    conn.handler?.close?.(event);
  }

  /** Delivers what can still be delivered (holes become gaps), then tells the handler the connection is over. */
  private endConnection(conn: TcpConnection): void {
    if (conn.ended) return;
    conn.ended = true;
    // A direction that sent nothing has nothing waiting and nothing acknowledged.
    conn.half0?.finish(this, conn, 0, conn.lastFrame, conn.lastTime);
    conn.half1?.finish(this, conn, 1, conn.lastFrame, conn.lastTime);
    conn.handler?.end(conn);
    conn.handler = null;
    this.table.ended(conn);
  }

  /** Ends a connection the table lets go (idle, or the table is full) and forgets it. */
  private evict(conn: TcpConnection): void {
    if (!conn.ended) {
      this.stats.evicted++;
      this.endConnection(conn);
    }
    this.table.remove(conn);
  }

  /** Ends idle connections and forgets ended ones. */
  private sweep(now: number): void {
    this.lastSweepTime = now;
    for (const conn of this.table.idle(now, this.options.idleTimeout)) this.evict(conn);
  }

  /** The table is full: end the least recently active quarter (one sort per many new connections). */
  private evictOldest(now: number): void {
    this.sweep(now);
    if (this.table.size < this.options.maxConnections) return;
    if (!this.warnedFull) {
      this.warnedFull = true;
      this.onWarning?.({
        code: 'too-many-connections',
        message: `more than ${this.options.maxConnections} TCP connections open at once; the least recently active are ended early`,
      });
    }
    for (const conn of this.table.leastRecentlyActive()) this.evict(conn);
  }

  private warnOnce(conn: TcpConnection, code: string, message: string, frame: number): void {
    if (this.warned.has(code)) return;
    this.warned.add(code);
    const { initiator, responder } = conn;
    this.onWarning?.({ code, message: `${message} (first at frame ${frame}, connection ${initiator.ip}:${initiator.port} → ${responder.ip}:${responder.port})`, frame });
  }
}
