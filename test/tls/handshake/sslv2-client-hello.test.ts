import { describe, expect, it } from 'vitest';
import { ja3, ja4 } from '../../../src/fingerprint/index.js';
import { parseSsl2ClientHello, TlsParseError } from '../../../src/tls/handshake/index.js';
import { loadSsl2Hellos, num } from './fixtures.js';

/** Java 17's SSLv2-compatible ClientHello (test/fixtures/handshake/captures/java17-sslv2hello.pcap). */
const [fixture] = loadSsl2Hellos();

describe('SSLv2-compatible ClientHello', () => {
  it('is among the fixtures', () => expect(fixture?.sslv2Record?.length).toBeGreaterThan(0));

  it('agrees with tshark', () => {
    const record = fixture!.sslv2Record!;
    const t = fixture!.tshark;
    const hello = parseSsl2ClientHello(record);
    expect(hello.sslv2Compatible).toBe(true);
    expect(hello.legacyVersion).toBe(num(t['tls.handshake.version']![0]!));
    expect(hello.sslv2CipherSpecs!.map((s) => s.spec)).toEqual(t['tls.handshake.cipherspec']!.map(num));
    expect(hello.sslv2CipherSpecs!.length * 3).toBe(num(t['tls.handshake.cipher_spec_len']![0]!));
    expect(hello.random.length).toBe(num(t['tls.handshake.challenge_length']![0]!));
    // TLS suites are the specs whose first byte is zero; the SSL 2.0 ones keep their SSL2_ names.
    expect(hello.cipherSuites).toEqual(hello.sslv2CipherSpecs!.map((s) => s.spec).filter((s) => s < 0x10000));
    expect(hello.cipherSuiteNames).toContain('TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384');
    expect(hello.sslv2CipherSpecs!.filter((s) => s.spec >= 0x10000).every((s) => s.name.startsWith('SSL2_'))).toBe(true);
    expect(ja4(hello).ja4).toMatch(/^t12i\d\d0000_[0-9a-f]{12}_000000000000$/);
    expect(ja3(hello).ja3_string.startsWith('771,49196-49195-')).toBe(true);
  });

  it('throws TlsParseError for every truncation and for a TLS record', () => {
    const record = fixture!.sslv2Record!;
    for (let length = 0; length < record.length; length++) {
      expect(() => parseSsl2ClientHello(record.subarray(0, length)), `${length} bytes`).toThrow(TlsParseError);
    }
    expect(() => parseSsl2ClientHello(Uint8Array.from([0x16, 0x03, 0x01, 0x00, 0x05]))).toThrow(/high bit set/);
  });
});
