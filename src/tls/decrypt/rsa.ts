import { constants, privateDecrypt, randomBytes, type KeyObject } from 'node:crypto';

/** The TLS premaster secret of the RSA key exchange: 48 bytes (RFC 5246 §7.4.7.1). */
export const PREMASTER_LENGTH = 48;

/**
 * Decrypts an RSA-encrypted premaster secret (RSAES-PKCS1-v1_5). Node 20 refuses RSA_PKCS1_PADDING for
 * private decryption (CVE-2023-46809, unless --security-revert), so the raw RSA operation is done with
 * RSA_NO_PADDING and the padding is checked here, in code whose steps do not depend on the padding bytes.
 * As TLS servers do (RFC 5246 §7.4.7.1), a malformed block gives a random premaster, never an error: the
 * wrong keys then show as records that do not authenticate.
 */
export function decryptPremaster(key: KeyObject, encrypted: Uint8Array, length = PREMASTER_LENGTH): Uint8Array {
  const fallback = randomBytes(length);
  const modulusBytes = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  if (modulusBytes < length + 11 || encrypted.length > modulusBytes) return fallback;
  // A client may send the ciphertext without its leading zero bytes: pad it to the modulus length.
  const block = new Uint8Array(modulusBytes);
  block.set(encrypted, modulusBytes - encrypted.length);
  let em: Buffer;
  try {
    em = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, block);
  } catch {
    return fallback; // ciphertext not below the modulus
  }
  if (em.length !== modulusBytes) return fallback;
  // EM = 0x00 0x02 PS (at least 8 non-zero bytes) 0x00 M, with M of `length` bytes.
  let found = 0;
  let separator = 0;
  for (let i = 2; i < modulusBytes; i++) {
    const isZero = ((em[i]! - 1) >>> 31) & 1;
    const first = isZero & (found ^ 1);
    separator |= -first & i;
    found |= isZero;
  }
  const valid =
    isEqual(em[0]!, 0) & isEqual(em[1]!, 2) & found & isAtLeast(separator, 10) & isEqual(modulusBytes - separator - 1, length);
  const mask = -valid & 0xff;
  const out = new Uint8Array(length);
  const start = modulusBytes - length;
  for (let i = 0; i < length; i++) out[i] = (em[start + i]! & mask) | (fallback[i]! & ~mask & 0xff);
  em.fill(0);
  return out;
}

/** 1 when a === b (both below 2^31), else 0, without a branch. */
function isEqual(a: number, b: number): number {
  const x = a ^ b;
  return ((x - 1) >>> 31) & ((~x >>> 31) & 1);
}

/** 1 when a >= b (both below 2^31), else 0, without a branch. */
function isAtLeast(a: number, b: number): number {
  return ((a - b) >>> 31) ^ 1;
}
