import { describe, expect, it } from 'vitest';
import { firstPrintableLine } from '../../src/tls/preamble.js';

describe('firstPrintableLine keeps one line and nothing binary', () => {
  it('cuts at the first line end, drops control characters, refuses binary and bounds the length', () => {
    const bytes = (s: string) => Uint8Array.from(s, (ch) => ch.charCodeAt(0));
    expect(firstPrintableLine(bytes('HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n'))).toBe('HTTP/1.1 400 Bad Request');
    expect(firstPrintableLine(bytes('\r\n\r\nSSH-2.0-OpenSSH_9.2\x07\r\n'))).toBe('SSH-2.0-OpenSSH_9.2');
    expect(firstPrintableLine(bytes('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03'))).toBeNull();
    expect(firstPrintableLine(new Uint8Array(0))).toBeNull();
    expect(firstPrintableLine(bytes('A'.repeat(5000)))).toHaveLength(200);
  });
});
