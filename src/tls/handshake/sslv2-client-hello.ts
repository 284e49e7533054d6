import { cipherSuiteName, SSL2_CIPHER_SPEC_NAMES } from '../registry/names.js';
import { isGrease } from '../registry/grease.js';
import { ByteReader } from './reader.js';
import type { ClientHello } from './types.js';

/**
 * An SSLv2-compatible ClientHello (RFC 5246 appendix E.2, RFC 6101 appendix E): the whole record, starting
 * with its 2-byte header whose high bit is set. CIPHER-SPECs are 3 bytes; those whose first byte is 0 are TLS
 * cipher suites and are listed in cipherSuites, the others only in sslv2CipherSpecs. The challenge is kept as
 * the random (TLS right-aligns it into the 32-byte random).
 */
export function parseSsl2ClientHello(record: Uint8Array): ClientHello {
  const reader = new ByteReader(record, 'SSLv2 ClientHello');
  const header = reader.u16('SSLv2 record header');
  if ((header & 0x8000) === 0) reader.fail('an SSLv2 2-byte record header with the high bit set', 0);
  const length = header & 0x7fff;
  const body = reader.take(Math.min(length, reader.remaining), 'SSLv2 record body');
  if (length > body.bytes.length) reader.fail(`an SSLv2 record body of ${length} bytes, only ${body.bytes.length} present`, 2);
  const msgType = body.u8('SSLv2 msg_type');
  if (msgType !== 1) body.fail(`SSLv2 msg_type 1 (CLIENT-HELLO), got ${msgType}`, 2);
  const legacyVersion = body.u16('version');
  const specsLength = body.u16('cipher_spec_length');
  const sessionIdLength = body.u16('session_id_length');
  const challengeLength = body.u16('challenge_length');
  if (specsLength % 3 !== 0) body.fail(`a cipher_spec_length that is a multiple of 3, got ${specsLength}`, 5);
  if (sessionIdLength !== 0 && sessionIdLength !== 16) body.fail(`a session_id_length of 0 or 16, got ${sessionIdLength}`, 7);
  if (challengeLength < 16 || challengeLength > 32) body.fail(`a challenge_length of 16 to 32, got ${challengeLength}`, 9);
  const specs = body.take(specsLength, 'cipher_specs');
  const sessionId = body.bytesView(sessionIdLength, 'session_id');
  const challenge = body.bytesView(challengeLength, 'challenge');
  body.expectEnd('SSLv2 ClientHello');
  reader.expectEnd('SSLv2 record');

  const sslv2CipherSpecs: Array<{ spec: number; name: string }> = [];
  const cipherSuites: number[] = [];
  while (specs.remaining > 0) {
    const spec = specs.u24('cipher spec');
    if (spec >> 16 === 0) {
      cipherSuites.push(spec);
      sslv2CipherSpecs.push({ spec, name: cipherSuiteName(spec) });
    } else {
      sslv2CipherSpecs.push({ spec, name: SSL2_CIPHER_SPEC_NAMES[spec] ?? `0x${spec.toString(16).padStart(6, '0')}` });
    }
  }
  return {
    type: 'ClientHello',
    legacyVersion,
    random: challenge,
    sessionId,
    cipherSuites,
    cipherSuiteNames: cipherSuites.map(cipherSuiteName),
    greaseCipherSuites: cipherSuites.filter(isGrease),
    compressionMethods: [0],
    extensions: [],
    hasExtensionsBlock: false,
    greaseValues: cipherSuites.filter(isGrease),
    effectiveVersion: legacyVersion,
    sslv2Compatible: true,
    sslv2CipherSpecs,
  };
}
