import { CIPHER_SUITE_NAMES } from './cipher-suites.js';

/** How a TLS 1.2-or-older cipher suite exchanges keys, as far as ServerKeyExchange parsing cares. */
export type KeyExchangeKind = 'ecdhe' | 'dhe' | 'rsa' | 'psk' | 'ecdhe_psk' | 'dhe_psk' | 'rsa_psk' | 'srp' | 'ecdh' | 'dh' | 'tls13' | 'other';

/** Key exchange of a suite, read from its IANA name (TLS_<kx>_WITH_…); null for unknown suites. */
export function cipherSuiteKeyExchange(suite: number): KeyExchangeKind | null {
  const name = CIPHER_SUITE_NAMES[suite];
  if (name === undefined) return null;
  const withAt = name.indexOf('_WITH_');
  if (withAt < 0) return name.startsWith('TLS_') && /^TLS_(AES|CHACHA20|SHA256|SHA384)_/.test(name) ? 'tls13' : 'other';
  const kx = name.slice(name.indexOf('_') + 1, withAt);
  if (kx.startsWith('ECDHE_PSK')) return 'ecdhe_psk';
  if (kx.startsWith('DHE_PSK')) return 'dhe_psk';
  if (kx.startsWith('RSA_PSK')) return 'rsa_psk';
  if (kx.startsWith('ECDHE_') || kx === 'ECDHE') return 'ecdhe';
  if (kx.startsWith('DHE_')) return 'dhe';
  if (kx.startsWith('ECDH_')) return 'ecdh';
  if (kx.startsWith('DH_')) return kx === 'DH_anon' || kx.startsWith('DH_anon') ? 'dhe' : 'dh';
  if (kx.startsWith('SRP')) return 'srp';
  if (kx === 'PSK') return 'psk';
  if (kx.startsWith('RSA')) return 'rsa';
  return 'other';
}
