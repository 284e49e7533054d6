import { createHash } from 'node:crypto';
import { isGrease } from '../tls/registry/grease.js';
import type { ClientHello, ServerHello } from '../tls/handshake/types.js';

/**
 * JA3 / JA3S (Salesforce, BSD-3-Clause): decimal fields joined by '-', sections by ',', MD5 of the string.
 * GREASE values (RFC 8701) are left out, as every current JA3 implementation does.
 */
export interface Ja3Fingerprint {
  ja3: string;
  ja3_string: string;
}

export interface Ja3sFingerprint {
  ja3s: string;
  ja3s_string: string;
}

const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');
const dashed = (values: number[]): string => values.filter((v) => !isGrease(v)).join('-');

/** SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats */
export function ja3(hello: ClientHello): Ja3Fingerprint {
  const text = [
    String(hello.legacyVersion),
    dashed(hello.cipherSuites),
    dashed(hello.extensions.map((e) => e.type)),
    dashed(hello.supportedGroups ?? []),
    (hello.ecPointFormats ?? []).join('-'),
  ].join(',');
  return { ja3: md5(text), ja3_string: text };
}

/** SSLVersion,Cipher,Extensions of the ServerHello. */
export function ja3s(serverHello: ServerHello): Ja3sFingerprint {
  const text = [
    String(serverHello.legacyVersion),
    String(serverHello.cipherSuite),
    dashed(serverHello.extensions.map((e) => e.type)),
  ].join(',');
  return { ja3s: md5(text), ja3s_string: text };
}
