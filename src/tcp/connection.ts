import { formatAddress } from '../ip/address.js';
import { HalfStream, UNSEEN } from './half-stream.js';
import type { CloseEvent, Direction, Endpoint, StreamControl, StreamHandler, TcpConnectionInfo } from './types.js';

/** No copy of the addresses for IPv4: they are compared as the integers initiator4 and responder4. */
export const IPV4_ADDRESSES = new Uint8Array(0);

/**
 * One tracked TCP connection, in one object: its 4-tuple and place in the connection table, what the consumer
 * is told about it (TcpConnectionInfo), the StreamControl its consumer gets, and its two half-streams. A flood
 * of 100 000 connections that never carry a byte is the case that counts (docs/limits.md): the endpoints, byte
 * and packet counts are made only when read, and a direction's HalfStream when it first sends.
 */
export class TcpConnection implements StreamControl, TcpConnectionInfo {
  handler: StreamHandler | null = null;
  /** The initiator's and the responder's direction, null until it sends (read through peek()). */
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
    /** The keyed hash of the 4-tuple (the connection table's key). */
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
    public nextInBucket: TcpConnection | null,
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
    if (direction === 0) return (this.half0 ??= new HalfStream());
    return (this.half1 ??= new HalfStream());
  }

  ignore(direction: Direction): void {
    this.half(direction).ignore();
  }

  /** A segment of `length` payload bytes (captured or not) in `direction` at `frame`. */
  count(direction: Direction, length: number, frame: number, time: number): void {
    this.lastFrame = frame;
    this.lastTime = time;
    if (direction === 0) {
      this.packets0++;
      this.bytes0 += length;
    } else {
      this.packets1++;
      this.bytes1 += length;
    }
  }

  /** An endpoint's address as text (0: the initiator's), made when asked: no string is kept per connection. */
  private addressText(end: 0 | 1): string {
    if (this.ipVersion === 6) return formatAddress(this.addresses, end * 16, 6);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, end === 0 ? this.initiator4 : this.responder4);
    return formatAddress(bytes, 0, 4);
  }
}
