/** SignatureScheme (IANA TLS SignatureScheme registry, RFC 8446 §4.2.3), value → name. */
export const SIGNATURE_SCHEME_NAMES: Readonly<Record<number, string>> = {
  0x0201: 'rsa_pkcs1_sha1',
  0x0203: 'ecdsa_sha1',
  0x0401: 'rsa_pkcs1_sha256',
  0x0403: 'ecdsa_secp256r1_sha256',
  0x0420: 'rsa_pkcs1_sha256_legacy',
  0x0501: 'rsa_pkcs1_sha384',
  0x0503: 'ecdsa_secp384r1_sha384',
  0x0520: 'rsa_pkcs1_sha384_legacy',
  0x0601: 'rsa_pkcs1_sha512',
  0x0603: 'ecdsa_secp521r1_sha512',
  0x0620: 'rsa_pkcs1_sha512_legacy',
  0x0704: 'eccsi_sha256',
  0x0705: 'iso_ibs1',
  0x0706: 'iso_ibs2',
  0x0707: 'iso_chinese_ibs',
  0x0708: 'sm2sig_sm3',
  0x0709: 'gostr34102012_256a',
  0x070a: 'gostr34102012_256b',
  0x070b: 'gostr34102012_256c',
  0x070c: 'gostr34102012_256d',
  0x070d: 'gostr34102012_512a',
  0x070e: 'gostr34102012_512b',
  0x070f: 'gostr34102012_512c',
  0x0804: 'rsa_pss_rsae_sha256',
  0x0805: 'rsa_pss_rsae_sha384',
  0x0806: 'rsa_pss_rsae_sha512',
  0x0807: 'ed25519',
  0x0808: 'ed448',
  0x0809: 'rsa_pss_pss_sha256',
  0x080a: 'rsa_pss_pss_sha384',
  0x080b: 'rsa_pss_pss_sha512',
  0x081a: 'ecdsa_brainpoolP256r1tls13_sha256',
  0x081b: 'ecdsa_brainpoolP384r1tls13_sha384',
  0x081c: 'ecdsa_brainpoolP512r1tls13_sha512',
  0x0904: 'mldsa44',
  0x0905: 'mldsa65',
  0x0906: 'mldsa87',
};

const HASH_NAMES: Readonly<Record<number, string>> = {
  0: 'none', 1: 'md5', 2: 'sha1', 3: 'sha224', 4: 'sha256', 5: 'sha384', 6: 'sha512', 8: 'intrinsic',
};
const SIGNATURE_NAMES: Readonly<Record<number, string>> = { 0: 'anonymous', 1: 'rsa', 2: 'dsa', 3: 'ecdsa' };

/**
 * Name of a signature scheme. TLS 1.2 peers may also send hash/signature pairs (RFC 5246 §7.4.1.4.1) that
 * have no TLS 1.3 name, such as 0x0402 (sha256 + dsa); those are named 'dsa_sha256'. Unknown ones as hex.
 */
export function signatureSchemeName(scheme: number): string {
  const known = SIGNATURE_SCHEME_NAMES[scheme];
  if (known !== undefined) return known;
  const hash = HASH_NAMES[scheme >> 8];
  const signature = SIGNATURE_NAMES[scheme & 0xff];
  if (hash !== undefined && signature !== undefined) return `${signature}_${hash}`;
  return `0x${scheme.toString(16).padStart(4, '0')}`;
}
