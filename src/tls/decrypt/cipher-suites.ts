import { CIPHER_SUITE_NAMES } from '../registry/cipher-suites.js';
import { cipherSuiteKeyExchange, type KeyExchangeKind } from '../registry/key-exchange.js';

export type HashName = 'md5' | 'sha1' | 'sha256' | 'sha384';

/** How records of a suite are protected. */
export type BulkCipher =
  | { kind: 'gcm'; algorithm: 'aes-128-gcm' | 'aes-256-gcm'; tagLength: 16 }
  | { kind: 'ccm'; algorithm: 'aes-128-ccm' | 'aes-256-ccm'; tagLength: 16 | 8 }
  | { kind: 'chacha20-poly1305'; algorithm: 'chacha20-poly1305'; tagLength: 16 }
  | { kind: 'cbc'; algorithm: 'aes-128-cbc' | 'aes-256-cbc' | 'des-ede3-cbc'; blockSize: 16 | 8 }
  /** NULL suites (TLS_RSA_WITH_NULL_SHA256 …): records in clear with an HMAC; the key log gives the MAC keys. */
  | { kind: 'null' };

export interface CipherSuiteParams {
  suite: number;
  name: string;
  /** 'tls13' for TLS 1.3 suites (key exchange is negotiated apart from the suite). */
  keyExchange: KeyExchangeKind;
  tls13: boolean;
  cipher: BulkCipher;
  keyLength: number;
  /**
   * Implicit IV from the key schedule: 12 for TLS 1.3 and ChaCha20, 4 (the salt) for TLS 1.2 GCM/CCM, the
   * block size for CBC (used only by TLS 1.0, whose first IV comes from the key block).
   */
  ivLength: number;
  /** HMAC hash for CBC and NULL suites; null for AEADs. */
  macHash: HashName | null;
  /** TLS 1.2 PRF hash, or the TLS 1.3 HKDF hash. */
  prfHash: 'sha256' | 'sha384';
}

/**
 * Reads a suite's parameters from its IANA name, which spells them out: TLS_<kx>_WITH_<cipher>[_<hash>] for
 * TLS 1.2 and older, TLS_<cipher>_<hash> for TLS 1.3. Only the ciphers below are recognised; everything else
 * (RC4, CAMELLIA, ARIA, SM4, export suites, pre-standard ChaCha20) is left out. NULL suites are read (their
 * records are in clear) and their MACs checked.
 */
const SUITE_NAME =
  /^TLS_(?:(.+)_WITH_)?(AES_128_GCM|AES_256_GCM|AES_128_CCM_8|AES_256_CCM_8|AES_128_CCM|AES_256_CCM|CHACHA20_POLY1305|AES_128_CBC|AES_256_CBC|3DES_EDE_CBC|NULL)(?:_(MD5|SHA|SHA256|SHA384))?$/;

const CIPHERS: Readonly<Record<string, { cipher: BulkCipher; keyLength: number }>> = {
  AES_128_GCM: { cipher: { kind: 'gcm', algorithm: 'aes-128-gcm', tagLength: 16 }, keyLength: 16 },
  AES_256_GCM: { cipher: { kind: 'gcm', algorithm: 'aes-256-gcm', tagLength: 16 }, keyLength: 32 },
  AES_128_CCM: { cipher: { kind: 'ccm', algorithm: 'aes-128-ccm', tagLength: 16 }, keyLength: 16 },
  AES_256_CCM: { cipher: { kind: 'ccm', algorithm: 'aes-256-ccm', tagLength: 16 }, keyLength: 32 },
  AES_128_CCM_8: { cipher: { kind: 'ccm', algorithm: 'aes-128-ccm', tagLength: 8 }, keyLength: 16 },
  AES_256_CCM_8: { cipher: { kind: 'ccm', algorithm: 'aes-256-ccm', tagLength: 8 }, keyLength: 32 },
  CHACHA20_POLY1305: { cipher: { kind: 'chacha20-poly1305', algorithm: 'chacha20-poly1305', tagLength: 16 }, keyLength: 32 },
  AES_128_CBC: { cipher: { kind: 'cbc', algorithm: 'aes-128-cbc', blockSize: 16 }, keyLength: 16 },
  AES_256_CBC: { cipher: { kind: 'cbc', algorithm: 'aes-256-cbc', blockSize: 16 }, keyLength: 32 },
  '3DES_EDE_CBC': { cipher: { kind: 'cbc', algorithm: 'des-ede3-cbc', blockSize: 8 }, keyLength: 24 },
  NULL: { cipher: { kind: 'null' }, keyLength: 0 },
};

function describe(suite: number, name: string): CipherSuiteParams | null {
  const match = SUITE_NAME.exec(name);
  if (match === null) return null;
  const [, kx, cipherName, hash] = match;
  const entry = CIPHERS[cipherName!]!;
  const tls13 = kx === undefined;
  const cipher = entry.cipher;
  if (tls13 && (hash === undefined || hash === 'SHA' || hash === 'MD5' || cipher.kind === 'cbc' || cipher.kind === 'null')) return null;
  const macd = cipher.kind === 'cbc' || cipher.kind === 'null';
  if (!tls13 && macd && hash === undefined) return null;
  if (hash === 'MD5' && cipher.kind !== 'null') return null;
  const keyExchange = cipherSuiteKeyExchange(suite) ?? 'other';
  const prfHash = hash === 'SHA384' ? 'sha384' : 'sha256';
  let ivLength: number;
  if (cipher.kind === 'null') ivLength = 0;
  else if (cipher.kind === 'cbc') ivLength = cipher.blockSize;
  else if (tls13 || cipher.kind === 'chacha20-poly1305') ivLength = 12;
  else ivLength = 4;
  const macHash: HashName | null = !macd ? null : hash === 'MD5' ? 'md5' : hash === 'SHA' ? 'sha1' : hash === 'SHA256' ? 'sha256' : 'sha384';
  return { suite, name, keyExchange: tls13 ? 'tls13' : keyExchange, tls13, cipher, keyLength: entry.keyLength, ivLength, macHash, prfHash };
}

function buildTable(): ReadonlyMap<number, CipherSuiteParams> {
  const table = new Map<number, CipherSuiteParams>();
  for (const [value, name] of Object.entries(CIPHER_SUITE_NAMES)) {
    const params = describe(Number(value), name);
    if (params !== null) table.set(params.suite, Object.freeze(params));
  }
  return table;
}

/** Every suite tlsdiag can decrypt, by IANA value. */
export const DECRYPTABLE_CIPHER_SUITES: ReadonlyMap<number, CipherSuiteParams> = buildTable();

export function cipherSuiteParams(suite: number): CipherSuiteParams | undefined {
  return DECRYPTABLE_CIPHER_SUITES.get(suite);
}

/** True when records of this suite can be decrypted given the right key log. */
export function canDecrypt(suite: number): boolean {
  return DECRYPTABLE_CIPHER_SUITES.has(suite);
}
