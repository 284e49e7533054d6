import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseHex, sameBytes, toHex } from '../../src/util/bytes.js';

describe('sameBytes', () => {
  it('holds for equal bytes in different buffers, and for two empty arrays', () => {
    expect(sameBytes(new Uint8Array([1, 2, 3]), Uint8Array.from([1, 2, 3]))).toBe(true);
    expect(sameBytes(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });

  it('fails on unequal length, even when one is a prefix of the other', () => {
    expect(sameBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3]))).toBe(false);
    expect(sameBytes(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2]))).toBe(false);
    expect(sameBytes(new Uint8Array(0), new Uint8Array([0]))).toBe(false);
  });

  it('fails on one different byte, the last one included', () => {
    expect(sameBytes(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false);
    expect(sameBytes(new Uint8Array([0, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(false);
  });

  it('compares only the bytes a subarray views, not its whole buffer', () => {
    const buffer = new Uint8Array([9, 1, 2, 9]);
    expect(sameBytes(buffer.subarray(1, 3), new Uint8Array([1, 2]))).toBe(true);
    expect(sameBytes(buffer.subarray(0, 2), new Uint8Array([1, 2]))).toBe(false);
  });

  it('agrees with Buffer.equals', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ maxLength: 8 }), (a, b) => {
        expect(sameBytes(a, b)).toBe(Buffer.from(a).equals(Buffer.from(b)));
      }),
    );
  });
});

describe('toHex and parseHex', () => {
  it('write two lower-case digits a byte, nothing for no bytes', () => {
    expect(toHex(new Uint8Array([0x00, 0x0f, 0xab, 0xff]))).toBe('000fabff');
    expect(toHex(new Uint8Array(0))).toBe('');
  });

  it('write only the bytes a subarray views', () => {
    expect(toHex(new Uint8Array([1, 2, 3, 4]).subarray(1, 3))).toBe('0203');
  });

  it('read either case back, and refuse an odd length or a non-hex character', () => {
    expect(parseHex('000FabfF')).toEqual(new Uint8Array([0x00, 0x0f, 0xab, 0xff]));
    expect(parseHex('')).toEqual(new Uint8Array(0));
    expect(parseHex('abc')).toBeNull();
    expect(parseHex('0g')).toBeNull();
    expect(parseHex(' 0')).toBeNull();
  });

  it('round-trip any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(parseHex(toHex(bytes))).toEqual(bytes);
      }),
    );
  });
});
