import { randomBytes } from 'node:crypto';
import type { TcpSegment } from '../ip/tcp-segment.js';

// The keyed hash of a TCP 4-tuple, the same value for both directions of a connection: the connection table's
// buckets (a per-table random key, so a capture cannot be crafted to make its tuples collide) and the shards of
// one capture across threads (a key drawn once per run and shared by its workers).

/** Four random 32-bit words for a TupleHashKey. */
export function randomKeyWords(): Uint32Array {
  return new Uint32Array(randomBytes(16).buffer.slice(0, 16));
}

/** The keyed hash of the segment's 4-tuple (30 bits), whichever direction it goes. */
export function hashTuple(key: TupleHashKey, seg: TcpSegment): number {
  if (seg.ipVersion === 6) return hash6(key, seg);
  return hash4(key, readInt32(seg.bytes, seg.srcAddrOffset), seg.srcPort, readInt32(seg.bytes, seg.dstAddrOffset), seg.dstPort);
}

/** Four bytes at `at`, big-endian, as a signed 32-bit integer (an IPv4 address). */
export function readInt32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
}

/**
 * Four random 32-bit words mixed into every 4-tuple hash: drawn by node:crypto for each connection table, or
 * given (`words`) where several threads must agree on a hash, as the shards of one capture do (FlowShard).
 */
export class TupleHashKey {
  readonly k0: number;
  readonly k1: number;
  readonly k2: number;
  readonly k3: number;

  constructor(words: ArrayLike<number> = randomKeyWords()) {
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
export function hash4(key: TupleHashKey, src: number, srcPort: number, dst: number, dstPort: number): number {
  return combine(key, endpoint4(key, src, srcPort), endpoint4(key, dst, dstPort));
}

/** The keyed hash of an IPv6 4-tuple, the same whichever direction, computed without allocating. */
export function hash6(key: TupleHashKey, seg: TcpSegment): number {
  const bytes = seg.bytes;
  let a = key.k0;
  let b = key.k0;
  for (let i = 0; i < 16; i += 4) {
    a = mix32(a ^ readInt32(bytes, seg.srcAddrOffset + i));
    b = mix32(b ^ readInt32(bytes, seg.dstAddrOffset + i));
  }
  return combine(key, mix32(a ^ seg.srcPort ^ key.k1), mix32(b ^ seg.dstPort ^ key.k1));
}
