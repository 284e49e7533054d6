import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatIpv4, formatIpv6 } from '../../src/ip/address.js';

const bytesOf = (groups: number[]): Uint8Array => {
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
};

/** The WHATWG URL serializer compresses IPv6 as RFC 5952 section 4 does (it has no IPv4-mapped form). */
const urlText = (groups: number[]): string => new URL(`http://[${groups.map((g) => g.toString(16)).join(':')}]/`).hostname.slice(1, -1);

describe('formatIpv6 (RFC 5952)', () => {
  it('follows the RFC 5952 section 4 examples and edge cases', () => {
    const table: [number[], string][] = [
      [[0, 0, 0, 0, 0, 0, 0, 0], '::'],
      [[0, 0, 0, 0, 0, 0, 0, 1], '::1'],
      [[0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], '2001:db8::1'],
      // A single zero group is not compressed (4.2.2).
      [[0x2001, 0xdb8, 0, 1, 1, 1, 1, 1], '2001:db8:0:1:1:1:1:1'],
      // The longest run is compressed (4.2.3), the first one when two are as long.
      [[0x2001, 0, 0, 1, 0, 0, 0, 1], '2001:0:0:1::1'],
      [[0x2001, 0xdb8, 0, 0, 1, 0, 0, 1], '2001:db8::1:0:0:1'],
      [[1, 0, 0, 0, 0, 0, 0, 0], '1::'],
      // Lower case, no leading zeros (4.1, 4.3).
      [[0x2001, 0xdb8, 0xabcd, 0x12, 0, 0, 0, 0xff], '2001:db8:abcd:12::ff'],
    ];
    for (const [groups, text] of table) expect(formatIpv6(bytesOf(groups), 0), text).toBe(text);
  });

  it('keeps the dotted tail of an IPv4-mapped address (section 5)', () => {
    expect(formatIpv6(bytesOf([0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201]), 0)).toBe('::ffff:192.0.2.1');
  });

  it('reads the 16 bytes at the offset it is given', () => {
    const packet = new Uint8Array(20).fill(0xee);
    packet.set(bytesOf([0xfe80, 0, 0, 0, 0, 0, 0, 0x2a]), 4);
    expect(formatIpv6(packet, 4)).toBe('fe80::2a');
  });

  it('agrees with the WHATWG URL serializer for any address that is not IPv4-mapped', () => {
    const group = fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (groups) => {
        fc.pre(!(groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff));
        expect(formatIpv6(bytesOf(groups), 0)).toBe(urlText(groups));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('formatIpv4', () => {
  it('writes the dotted quad at the offset', () => {
    expect(formatIpv4(new Uint8Array([9, 192, 0, 2, 255]), 1)).toBe('192.0.2.255');
  });
});
