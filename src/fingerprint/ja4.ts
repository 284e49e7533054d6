import { createHash } from 'node:crypto';
import { isGrease } from '../tls/registry/grease.js';
import type { ClientHello } from '../tls/handshake/types.js';

/**
 * JA4 TLS client fingerprint, per FoxIO's specification (technical_details/JA4.md, BSD-3-Clause).
 * Only JA4 itself: the JA4+ methods (JA4S, JA4X, …) are under a licence that restricts their use.
 */
export interface Ja4Fingerprint {
  ja4: string;
  ja4_r: string;
  ja4_o: string;
  ja4_ro: string;
}

export type Ja4Transport = 't' | 'q' | 'd';

const VERSION_CODES: Readonly<Record<number, string>> = {
  0x0304: '13',
  0x0303: '12',
  0x0302: '11',
  0x0301: '10',
  0x0300: 's3',
  0x0002: 's2',
  0x0100: 's1',
  0xfeff: 'd1',
  0xfefd: 'd2',
  0xfefc: 'd3',
};

const EMPTY_HASH = '000000000000';
const SERVER_NAME = 0x0000;
const ALPN = 0x0010;

const hex4 = (value: number): string => value.toString(16).padStart(4, '0');

function truncatedSha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 12);
}

const twoDigits = (count: number): string => String(Math.min(count, 99)).padStart(2, '0');

function isAlphanumeric(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
}

/**
 * How the ALPN part treats a first ALPN value whose first or last byte is not an ASCII letter or digit.
 * - 'spec': JA4.md today: the first hex digit of the first byte and the last hex digit of the last byte
 *   (0xAB 0xCD → "ad").
 * - 'reference': what FoxIO's Python reference printed when the conformance expectations were generated:
 *   the two characters as they are, except "99" when the first byte is above 0x7F. Only the capture
 *   tls-non-ascii-alpn.pcapng tells the two apart (0xBA 0xAD: 'spec' "bd", 'reference' "99").
 */
export type Ja4AlpnRule = 'spec' | 'reference';

export interface Ja4Options {
  alpnRule?: Ja4AlpnRule;
}

/** The two ALPN characters of JA4_a from the first ALPN value (RFC 7301 protocol id bytes). */
export function ja4AlpnCode(firstAlpn: Uint8Array | undefined, rule: Ja4AlpnRule = 'spec'): string {
  if (firstAlpn === undefined || firstAlpn.length === 0) return '00';
  const first = firstAlpn[0]!;
  const last = firstAlpn[firstAlpn.length - 1]!;
  if (isAlphanumeric(first) && isAlphanumeric(last)) return String.fromCharCode(first) + String.fromCharCode(last);
  if (rule === 'reference') return first > 0x7f ? '99' : String.fromCharCode(first) + String.fromCharCode(last);
  return first.toString(16).padStart(2, '0')[0]! + last.toString(16).padStart(2, '0')[1]!;
}

/** The TLS version JA4 reports: the highest non-GREASE supported_versions entry, else the hello's version. */
function ja4Version(hello: ClientHello): string {
  const offered = (hello.supportedVersions ?? []).filter((v) => !isGrease(v));
  const version = offered.length > 0 ? Math.max(...offered) : hello.legacyVersion;
  return VERSION_CODES[version] ?? '00';
}

export function ja4(hello: ClientHello, transport: Ja4Transport = 't', options: Ja4Options = {}): Ja4Fingerprint {
  const ciphers = hello.cipherSuites.filter((c) => !isGrease(c)).map(hex4);
  const extensionTypes = hello.extensions.map((e) => e.type).filter((t) => !isGrease(t));
  const hasSni = extensionTypes.includes(SERVER_NAME);
  const signatureAlgorithms = (hello.signatureAlgorithms ?? []).filter((s) => !isGrease(s)).map(hex4);

  const prefix =
    transport +
    ja4Version(hello) +
    (hasSni ? 'd' : 'i') +
    twoDigits(ciphers.length) +
    twoDigits(extensionTypes.length) +
    ja4AlpnCode(hello.alpn?.[0], options.alpnRule);

  const sortedCiphers = [...ciphers].sort().join(',');
  const originalCiphers = ciphers.join(',');
  const sortedExtensions = extensionTypes
    .filter((t) => t !== SERVER_NAME && t !== ALPN)
    .map(hex4)
    .sort()
    .join(',');
  const originalExtensions = extensionTypes.map(hex4).join(',');
  const withSignatures = (extensions: string): string =>
    signatureAlgorithms.length > 0 ? `${extensions}_${signatureAlgorithms.join(',')}` : extensions;

  const cipherHash = (list: string): string => (list === '' ? EMPTY_HASH : truncatedSha256(list));
  // "No extensions" is judged on the list without SNI and ALPN, for the original-order hash too: a hello
  // whose only extension is server_name hashes to 000000000000 in both (FoxIO's socks-https-example).
  const extensionHash = (list: string): string => (sortedExtensions === '' ? EMPTY_HASH : truncatedSha256(withSignatures(list)));

  return {
    ja4: `${prefix}_${cipherHash(sortedCiphers)}_${extensionHash(sortedExtensions)}`,
    ja4_r: `${prefix}_${sortedCiphers}_${withSignatures(sortedExtensions)}`,
    ja4_o: `${prefix}_${cipherHash(originalCiphers)}_${extensionHash(originalExtensions)}`,
    ja4_ro: `${prefix}_${originalCiphers}_${withSignatures(originalExtensions)}`,
  };
}
