import { describe, expect, it } from 'vitest';
import { ja4, ja4AlpnCode } from '../../src/fingerprint/index.js';
import { parseHandshakeMessage } from '../../src/tls/handshake/index.js';
import type { ClientHello } from '../../src/tls/handshake/types.js';
import { loadFixtureMessages } from '../tls/handshake/fixtures.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('JA4 ALPN characters (JA4.md examples)', () => {
  it('uses the first and last characters of alphanumeric values', () => {
    expect(ja4AlpnCode(new TextEncoder().encode('h2'))).toBe('h2');
    expect(ja4AlpnCode(new TextEncoder().encode('http/1.1'))).toBe('h1');
    expect(ja4AlpnCode(new TextEncoder().encode('x'))).toBe('xx');
    expect(ja4AlpnCode(undefined)).toBe('00');
    expect(ja4AlpnCode(bytes())).toBe('00');
  });
  it('falls back to hex digits when the first or last byte is not alphanumeric', () => {
    expect(ja4AlpnCode(bytes(0xab))).toBe('ab');
    expect(ja4AlpnCode(bytes(0xab, 0xcd))).toBe('ad');
    expect(ja4AlpnCode(bytes(0x30, 0xab))).toBe('3b');
    expect(ja4AlpnCode(bytes(0x30, 0x31, 0xab, 0xcd))).toBe('3d');
    expect(ja4AlpnCode(bytes(0x30, 0xab, 0xcd, 0x31))).toBe('01');
  });
  it("'reference' rule prints 99 for a first byte above 0x7f, as FoxIO's conformance data does", () => {
    expect(ja4AlpnCode(bytes(0xba, 0xad), 'reference')).toBe('99');
    expect(ja4AlpnCode(new TextEncoder().encode('h2'), 'reference')).toBe('h2');
  });
});

describe('JA4 on real hellos: invariants of the fingerprint', () => {
  const hellos = loadFixtureMessages().filter((m) => m.msgType === 1);
  const parsed = hellos.map((m) => ({ m, hello: parseHandshakeMessage(1, m.body) as ClientHello }));

  it('counts ciphers and extensions without GREASE and hashes 12 lowercase hex digits', () => {
    for (const { m, hello } of parsed) {
      const fp = ja4(hello);
      const match = /^t(13|12|11|10|s3|s2|00)([di])(\d\d)(\d\d)(..)_([0-9a-f]{12})_([0-9a-f]{12})$/.exec(fp.ja4);
      expect(match, m.where).not.toBeNull();
      expect(Number(match![3])).toBe(Math.min(99, hello.cipherSuites.filter((c) => (c & 0x0f0f) !== 0x0a0a || c >> 8 !== (c & 0xff)).length));
      expect(match![2]).toBe(hello.extensions.some((e) => e.type === 0) ? 'd' : 'i');
      expect(fp.ja4_r).not.toMatch(/(^|[,_])([0-9a-f])a\2a(?=[,_]|$)/);
    }
  });

  it('takes the version from supported_versions, ignoring GREASE', () => {
    const greased = parsed.find(({ hello }) => hello.supportedVersions?.some((v) => (v & 0x0f0f) === 0x0a0a));
    expect(greased, 'a Chrome hello with a GREASE supported version').toBeDefined();
    expect(ja4(greased!.hello).ja4.slice(1, 3)).toBe('13');
    expect(greased!.hello.legacyVersion).toBe(0x0303);
  });

  it('marks QUIC and DTLS transports', () => {
    const { hello } = parsed[0]!;
    expect(ja4(hello, 'q').ja4[0]).toBe('q');
    expect(ja4(hello, 'd').ja4.slice(1)).toBe(ja4(hello).ja4.slice(1));
  });

  it('hashes an empty cipher list as 000000000000', () => {
    const { hello } = parsed[0]!;
    const empty: ClientHello = { ...hello, cipherSuites: [] };
    const fp = ja4(empty);
    expect(fp.ja4.split('_')[1]).toBe('000000000000');
    expect(fp.ja4.slice(4, 6)).toBe('00');
  });
});
