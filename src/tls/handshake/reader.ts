import { TlsParseError } from './errors.js';

/**
 * A bounds-checked cursor over one handshake message body. Every read checks the bytes are there first;
 * length-prefixed vectors are returned as subarray views, so no length field ever drives an allocation.
 * `base` is the offset of this reader's first byte within the whole message, so errors report message
 * offsets even from nested readers.
 */
export class ByteReader {
  pos = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly what: string,
    readonly base = 0,
  ) {}

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  get offset(): number {
    return this.base + this.pos;
  }

  fail(expected: string, at = this.offset): never {
    throw new TlsParseError(`${this.what}: expected ${expected} at offset ${at}`, at, expected);
  }

  /** tlsdiag's own cap (not the protocol's) was reached: the message is not malformed, only beyond what is kept. */
  exceedsLimit(expected: string, at = this.offset): never {
    throw new TlsParseError(`${this.what}: expected ${expected} at offset ${at}`, at, expected, true);
  }

  private need(count: number, expected: string): void {
    if (this.remaining < count) {
      this.fail(`${expected} (${count} byte${count === 1 ? '' : 's'}, ${this.remaining} left)`);
    }
  }

  u8(expected: string): number {
    this.need(1, expected);
    return this.bytes[this.pos++]!;
  }

  u16(expected: string): number {
    this.need(2, expected);
    const value = (this.bytes[this.pos]! << 8) | this.bytes[this.pos + 1]!;
    this.pos += 2;
    return value;
  }

  u24(expected: string): number {
    this.need(3, expected);
    const value = (this.bytes[this.pos]! << 16) | (this.bytes[this.pos + 1]! << 8) | this.bytes[this.pos + 2]!;
    this.pos += 3;
    return value;
  }

  u32(expected: string): number {
    this.need(4, expected);
    const value =
      this.bytes[this.pos]! * 0x1000000 +
      ((this.bytes[this.pos + 1]! << 16) | (this.bytes[this.pos + 2]! << 8) | this.bytes[this.pos + 3]!);
    this.pos += 4;
    return value;
  }

  bytesView(count: number, expected: string): Uint8Array {
    this.need(count, expected);
    const view = this.bytes.subarray(this.pos, this.pos + count);
    this.pos += count;
    return view;
  }

  /** A vector with a 1-, 2- or 3-byte length prefix, checked against what is left. */
  vector(lengthBytes: 1 | 2 | 3, expected: string): Uint8Array {
    const lengthAt = this.offset;
    const length =
      lengthBytes === 1 ? this.u8(`${expected} length`) : lengthBytes === 2 ? this.u16(`${expected} length`) : this.u24(`${expected} length`);
    if (length > this.remaining) {
      this.fail(`${expected} of ${length} bytes as its length at offset ${lengthAt} says, but only ${this.remaining} bytes left`);
    }
    return this.bytesView(length, expected);
  }

  /** A nested reader over a length-prefixed vector, reporting offsets relative to the whole message. */
  subReader(lengthBytes: 1 | 2 | 3, expected: string): ByteReader {
    const lengthSize = lengthBytes;
    const start = this.offset + lengthSize;
    const view = this.vector(lengthBytes, expected);
    return new ByteReader(view, this.what, start);
  }

  /** Reader over the next `count` bytes. */
  take(count: number, expected: string): ByteReader {
    const start = this.offset;
    return new ByteReader(this.bytesView(count, expected), this.what, start);
  }

  /** A list of u16 values in a vector whose byte length must be even. */
  u16List(lengthBytes: 1 | 2, expected: string): number[] {
    const sub = this.subReader(lengthBytes, expected);
    if (sub.bytes.length % 2 !== 0) sub.fail(`${expected} with an even length, got ${sub.bytes.length}`, sub.base - lengthBytes);
    const values: number[] = [];
    while (sub.remaining > 0) values.push(sub.u16(expected));
    return values;
  }

  u8List(expected: string): number[] {
    const sub = this.subReader(1, expected);
    return Array.from(sub.bytes);
  }

  expectEnd(expected: string): void {
    if (this.remaining !== 0) this.fail(`end of ${expected}, found ${this.remaining} more byte${this.remaining === 1 ? '' : 's'}`);
  }
}
