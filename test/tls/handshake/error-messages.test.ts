import { describe, expect, it } from 'vitest';
import { parseHandshakeMessage, TlsParseError } from '../../../src/tls/handshake/index.js';
import { loadFixtureMessages } from './fixtures.js';

/** Real messages with one field made to lie (hand-edited bytes, for malformed input only). */
const messages = loadFixtureMessages();
const firstOf = (msgType: number, where = '') => messages.find((m) => m.msgType === msgType && m.where.includes(where))!;

function errorOf(run: () => unknown): TlsParseError {
  try {
    run();
  } catch (error) {
    if (error instanceof TlsParseError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('errors say what was expected and where', () => {
  it('a cipher_suites length larger than the message', () => {
    const m = firstOf(1, 'tls12.pcap');
    const body = Uint8Array.from(m.body);
    const at = 35 + body[34]!;
    body[at] = 0xff;
    body[at + 1] = 0xfe;
    const error = errorOf(() => parseHandshakeMessage(1, body));
    expect(error.offset).toBe(at + 2);
    expect(error.expected).toMatch(/^cipher_suites of 65534 bytes as its length at offset \d+ says, but only \d+ bytes left$/);
    expect(error.message).toBe(`ClientHello: expected ${error.expected} at offset ${at + 2}`);
  });

  it('an odd cipher_suites length', () => {
    const m = firstOf(1, 'tls12.pcap');
    const body = Uint8Array.from(m.body);
    const at = 35 + body[34]!;
    body[at + 1] = body[at + 1]! - 1;
    const error = errorOf(() => parseHandshakeMessage(1, body));
    expect(error.expected).toMatch(/cipher_suites with an even length/);
    expect(error.offset).toBe(at);
  });

  it('a certificate length running past the certificate list', () => {
    const m = messages.find((x) => x.msgType === 11 && x.context.version === 0x0303 && x.body.length > 10)!;
    const body = Uint8Array.from(m.body);
    body[3] = 0x7f; // first ASN.1Cert length, high byte
    const error = errorOf(() => parseHandshakeMessage(11, body, m.context));
    expect(error.offset).toBe(6);
    expect(error.expected).toMatch(/^ASN\.1Cert of \d+ bytes as its length at offset 3 says/);
  });

  it('a ServerHelloDone with a body', () => {
    const error = errorOf(() => parseHandshakeMessage(14, Uint8Array.of(0)));
    expect(error.message).toBe('ServerHelloDone: expected end of ServerHelloDone (an empty message), found 1 more byte at offset 0');
  });

  it('a 2^24-byte length claim allocates nothing and fails at once', () => {
    const m = firstOf(11);
    const body = Uint8Array.from(m.body);
    body.set([0xff, 0xff, 0xff], 0);
    const started = performance.now();
    const error = errorOf(() => parseHandshakeMessage(11, body, { version: 0x0303 }));
    expect(performance.now() - started).toBeLessThan(50);
    expect(error.expected).toMatch(/certificate_list of 16777215 bytes/);
  });
});
