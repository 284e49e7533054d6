/**
 * A minimal DER reader: enough to find the raw pieces @peculiar/x509 does not hand out (the exact bytes of
 * the subject and issuer names, the string type of each name attribute) and to say where a broken
 * certificate stops making sense. Every length is checked against the bytes actually present, so a lying
 * length field gives an error, never a large allocation or a read past the end.
 */

import { toHex } from '../util/bytes.js';

export class DerError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'DerError';
  }
}

export interface Tlv {
  /** The full identifier octet (class, constructed bit, tag number for numbers < 31). */
  tag: number;
  /** Offset of the identifier octet in the buffer. */
  start: number;
  /** Offset of the first content octet. */
  contentStart: number;
  /** Offset just past the content. */
  end: number;
}

export const DerTag = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  sequence: 0x30,
  set: 0x31,
  numericString: 0x12,
  printableString: 0x13,
  teletexString: 0x14,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  visibleString: 0x1a,
  universalString: 0x1c,
  bmpString: 0x1e,
} as const;

const TAG_NAMES: Record<number, string> = {
  0x01: 'BOOLEAN',
  0x02: 'INTEGER',
  0x03: 'BIT STRING',
  0x04: 'OCTET STRING',
  0x05: 'NULL',
  0x06: 'OBJECT IDENTIFIER',
  0x0c: 'UTF8String',
  0x12: 'NumericString',
  0x13: 'PrintableString',
  0x14: 'TeletexString',
  0x16: 'IA5String',
  0x17: 'UTCTime',
  0x18: 'GeneralizedTime',
  0x1a: 'VisibleString',
  0x1c: 'UniversalString',
  0x1e: 'BMPString',
  0x30: 'SEQUENCE',
  0x31: 'SET',
};

export function tagName(tag: number): string {
  const known = TAG_NAMES[tag];
  if (known) return known;
  const cls = ['universal', 'application', 'context', 'private'][tag >> 6]!;
  return `[${cls} ${tag & 0x1f}${tag & 0x20 ? ' constructed' : ''}] (0x${tag.toString(16).padStart(2, '0')})`;
}

/** Reads one TLV at `offset`, which must end at or before `limit`. */
export function readTlv(bytes: Uint8Array, offset: number, limit = bytes.length): Tlv {
  if (offset >= limit) throw new DerError(`expected a DER element at offset ${offset}, found end of data`, offset);
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError(`unsupported multi-byte tag 0x${tag.toString(16)} at offset ${offset}`, offset);
  let p = offset + 1;
  if (p >= limit) throw new DerError(`expected a length octet at offset ${p}, found end of data`, p);
  const first = bytes[p++]!;
  let length: number;
  if (first < 0x80) {
    length = first;
  } else if (first === 0x80) {
    throw new DerError(`indefinite length at offset ${p - 1} is not DER`, p - 1);
  } else {
    const count = first & 0x7f;
    if (count > 4) throw new DerError(`length of ${count} octets at offset ${p - 1} is too large`, p - 1);
    if (p + count > limit) throw new DerError(`length octets at offset ${p - 1} run past the end of data`, p - 1);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[p++]!;
  }
  if (p + length > limit) {
    throw new DerError(
      `${tagName(tag)} at offset ${offset} says ${length} content bytes but only ${limit - p} remain`,
      offset,
    );
  }
  return { tag, start: offset, contentStart: p, end: p + length };
}

/** Reads a TLV and checks its tag. */
export function expectTlv(bytes: Uint8Array, offset: number, tag: number, what: string, limit = bytes.length): Tlv {
  const tlv = readTlv(bytes, offset, limit);
  if (tlv.tag !== tag) {
    throw new DerError(`expected ${what} (${tagName(tag)}) at offset ${offset}, found ${tagName(tlv.tag)}`, offset);
  }
  return tlv;
}

/** The children of a constructed element. */
export function children(bytes: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let p = parent.contentStart;
  while (p < parent.end) {
    const child = readTlv(bytes, p, parent.end);
    out.push(child);
    p = child.end;
  }
  return out;
}

export function contentOf(bytes: Uint8Array, tlv: Tlv): Uint8Array {
  return bytes.subarray(tlv.contentStart, tlv.end);
}

export function encodingOf(bytes: Uint8Array, tlv: Tlv): Uint8Array {
  return bytes.subarray(tlv.start, tlv.end);
}

export function decodeOid(bytes: Uint8Array, tlv: Tlv): string {
  const content = contentOf(bytes, tlv);
  if (content.length === 0) throw new DerError(`empty OBJECT IDENTIFIER at offset ${tlv.start}`, tlv.start);
  const arcs: string[] = [];
  let value = 0n;
  for (let i = 0; i < content.length; i++) {
    value = (value << 7n) | BigInt(content[i]! & 0x7f);
    if ((content[i]! & 0x80) === 0) {
      if (arcs.length === 0) {
        const first = value < 40n ? 0n : value < 80n ? 1n : 2n;
        arcs.push(first.toString(), (value - first * 40n).toString());
      } else {
        arcs.push(value.toString());
      }
      value = 0n;
    } else if (i === content.length - 1) {
      throw new DerError(`OBJECT IDENTIFIER at offset ${tlv.start} ends inside a sub-identifier`, tlv.start);
    }
  }
  return arcs.join('.');
}

/**
 * A serial number's INTEGER content octets as `openssl x509 -serial` prints them: lower-case hex without the
 * sign octet DER adds before a high bit, '-' first when the INTEGER is negative.
 */
export function serialHex(content: Uint8Array): string {
  const negative = content.length > 0 && (content[0]! & 0x80) !== 0;
  const magnitude = content.length > 1 && content[0] === 0 && (content[1]! & 0x80) !== 0 ? content.subarray(1) : content;
  return (negative ? '-' : '') + toHex(magnitude);
}

/** Number of significant bits of an unsigned big-endian integer (an RSA modulus, a DSA prime). */
export function bitLength(unsigned: Uint8Array): number {
  let i = 0;
  while (i < unsigned.length && unsigned[i] === 0) i++;
  if (i === unsigned.length) return 0;
  return (unsigned.length - i - 1) * 8 + (32 - Math.clz32(unsigned[i]!));
}
