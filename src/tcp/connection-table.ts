import type { TcpSegment } from '../ip/tcp-segment.js';
import { IPV4_ADDRESSES, TcpConnection } from './connection.js';
import { hash4, hash6, readInt32, TupleHashKey } from './tuple-hash.js';

/** Ended connections kept in the table (then the older half is forgotten at once). */
const RECENTLY_ENDED_KEPT = 4096;

/** How hard the connection table works: a debug figure, kept apart from the capture's statistics. */
export interface ConnectionTableStats {
  /** Table lookups, one per segment. */
  lookups: number;
  /** Connections compared with a segment's 4-tuple over all lookups (lookups + collisions walked). */
  probes: number;
  /** Most connections compared in one lookup: the longest chain of one hash value ever walked. */
  longestChain: number;
}

/**
 * The tracked TCP connections by 4-tuple, whichever direction a segment goes: a map from a keyed hash of the
 * 4-tuple to the newest connection with it, older ones chained by `nextInBucket` (no array per bucket). Also
 * says which connections are idle or least recently active, and keeps ended connections a while so their last
 * ACKs do not open phantom connections. Ending a connection is the reassembler's; the table only forgets it.
 */
export class ConnectionTable {
  readonly stats: ConnectionTableStats = { lookups: 0, probes: 0, longestChain: 0 };
  /** Secret key of the 4-tuple hash, new for each table: a capture cannot be crafted to make every tuple collide. */
  private readonly key = new TupleHashKey();
  private readonly buckets = new Map<number, TcpConnection>();
  private tracked = 0;
  private readonly recentlyEnded: TcpConnection[] = [];
  /** The segment last looked up (find()): its hash and, for IPv4, its addresses as integers. */
  private hash = 0;
  private src4 = 0;
  private dst4 = 0;

  /** Connections in the table, ended ones not yet forgotten included. */
  get size(): number {
    return this.tracked;
  }

  /** The connection of the segment's 4-tuple, either direction; it becomes the segment that add() and isFromInitiator() read. */
  find(seg: TcpSegment): TcpConnection | null {
    // IPv4 addresses as integers, once per packet: the hash and the comparisons use numbers.
    if (seg.ipVersion === 4) {
      this.src4 = readInt32(seg.bytes, seg.srcAddrOffset);
      this.dst4 = readInt32(seg.bytes, seg.dstAddrOffset);
      this.hash = hash4(this.key, this.src4, seg.srcPort, this.dst4, seg.dstPort);
    } else {
      this.hash = hash6(this.key, seg);
    }
    const stats = this.stats;
    stats.lookups++;
    let walked = 0;
    let found: TcpConnection | null = null;
    for (let conn = this.buckets.get(this.hash) ?? null; conn !== null; conn = conn.nextInBucket) {
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

  /** A new connection for the segment last found (find()), its sender the initiator or not. */
  add(seg: TcpSegment, senderIsInitiator: boolean, id: number, sawSyn: boolean): TcpConnection {
    const srcOffset = seg.srcAddrOffset;
    const dstOffset = seg.dstAddrOffset;
    let addresses = IPV4_ADDRESSES;
    if (seg.ipVersion === 6) {
      addresses = new Uint8Array(32);
      addresses.set(seg.bytes.subarray(senderIsInitiator ? srcOffset : dstOffset, (senderIsInitiator ? srcOffset : dstOffset) + 16), 0);
      addresses.set(seg.bytes.subarray(senderIsInitiator ? dstOffset : srcOffset, (senderIsInitiator ? dstOffset : srcOffset) + 16), 16);
    }
    const conn = new TcpConnection(
      id,
      this.hash,
      seg.ipVersion,
      addresses,
      seg.ipVersion === 4 ? (senderIsInitiator ? this.src4 : this.dst4) : 0,
      seg.ipVersion === 4 ? (senderIsInitiator ? this.dst4 : this.src4) : 0,
      senderIsInitiator ? seg.srcPort : seg.dstPort,
      senderIsInitiator ? seg.dstPort : seg.srcPort,
      sawSyn,
      seg.frame,
      seg.time,
      this.buckets.get(this.hash) ?? null,
    );
    this.buckets.set(this.hash, conn);
    this.tracked++;
    return conn;
  }

  /** The segment last found (find()) goes from the connection's initiator to its responder. */
  isFromInitiator(conn: TcpConnection, seg: TcpSegment): boolean {
    if (seg.srcPort !== conn.initiatorPort || seg.dstPort !== conn.responderPort) return false;
    if (conn.ipVersion === 4) return this.src4 === conn.initiator4 && this.dst4 === conn.responder4;
    return sameAddress(seg.bytes, seg.srcAddrOffset, conn.addresses, 0, 16) && sameAddress(seg.bytes, seg.dstAddrOffset, conn.addresses, 16, 16);
  }

  remove(conn: TcpConnection): void {
    let previous: TcpConnection | null = null;
    for (let at = this.buckets.get(conn.hash) ?? null; at !== null; previous = at, at = at.nextInBucket) {
      if (at !== conn) continue;
      if (previous !== null) previous.nextInBucket = conn.nextInBucket;
      else if (conn.nextInBucket !== null) this.buckets.set(conn.hash, conn.nextInBucket);
      else this.buckets.delete(conn.hash);
      conn.nextInBucket = null;
      this.tracked--;
      return;
    }
  }

  /** The connection ended: it stays findable among the last RECENTLY_ENDED_KEPT ended ones. */
  ended(conn: TcpConnection): void {
    this.recentlyEnded.push(conn);
    if (this.recentlyEnded.length > RECENTLY_ENDED_KEPT) {
      for (const old of this.recentlyEnded.splice(0, RECENTLY_ENDED_KEPT / 2)) this.remove(old);
    }
  }

  /** Connections without a packet for more than `timeout` seconds at capture time `now`, in opening order. */
  idle(now: number, timeout: number): TcpConnection[] {
    // Collected without a list of every connection first: a sweep of a full table finds few idle ones.
    const idle: TcpConnection[] = [];
    for (const head of this.buckets.values()) {
      for (let conn: TcpConnection | null = head; conn !== null; conn = conn.nextInBucket) if (now - conn.lastTime > timeout) idle.push(conn);
    }
    return inOpeningOrder(idle);
  }

  /** The least recently active quarter of the table (at least one). */
  leastRecentlyActive(): TcpConnection[] {
    const all = this.connections();
    all.sort((a, b) => a.lastTime - b.lastTime || a.lastFrame - b.lastFrame);
    return all.slice(0, Math.max(1, Math.floor(all.length / 4)));
  }

  /** Every connection in the table, in opening order (the same on every run, whatever the hash key). */
  all(): TcpConnection[] {
    return inOpeningOrder(this.connections());
  }

  clear(): void {
    this.buckets.clear();
    this.tracked = 0;
  }

  /** Every connection, collected first so the caller may end and remove them (in the keyed hash's order). */
  private connections(): TcpConnection[] {
    // Sized once: grown by push, a list of 100 000 would leave two thirds of its size again as garbage.
    const all = new Array<TcpConnection>(this.tracked);
    let count = 0;
    for (const head of this.buckets.values()) {
      for (let conn: TcpConnection | null = head; conn !== null; conn = conn.nextInBucket) all[count++] = conn;
    }
    return all;
  }

  private matches(conn: TcpConnection, seg: TcpSegment): boolean {
    if (conn.ipVersion !== seg.ipVersion) return false;
    if (this.isFromInitiator(conn, seg)) return true;
    if (seg.srcPort !== conn.responderPort || seg.dstPort !== conn.initiatorPort) return false;
    if (conn.ipVersion === 4) return this.src4 === conn.responder4 && this.dst4 === conn.initiator4;
    return sameAddress(seg.bytes, seg.srcAddrOffset, conn.addresses, 16, 16) && sameAddress(seg.bytes, seg.dstAddrOffset, conn.addresses, 0, 16);
  }
}

/** Connections by id: the order they were opened in. */
function inOpeningOrder(connections: TcpConnection[]): TcpConnection[] {
  return connections.sort((a, b) => a.id - b.id);
}

function sameAddress(bytes: Uint8Array, offset: number, addresses: Uint8Array, at: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (bytes[offset + i] !== addresses[at + i]) return false;
  return true;
}
