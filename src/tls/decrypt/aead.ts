import { createDecipheriv, type CipherCCMTypes, type CipherGCMTypes } from 'node:crypto';
import type { BulkCipher } from './cipher-suites.js';

type AeadCipher = Exclude<BulkCipher, { kind: 'cbc' | 'null' }>;

/**
 * Opens one AEAD-sealed record body. Returns the plaintext, or null when the tag does not verify (node:crypto
 * throws for that; the throw stays in here).
 */
export function openAead(
  cipher: AeadCipher,
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
): Uint8Array | null {
  try {
    if (cipher.kind === 'ccm') {
      const decipher = createDecipheriv(cipher.algorithm as CipherCCMTypes, key, nonce, { authTagLength: cipher.tagLength });
      decipher.setAuthTag(tag);
      decipher.setAAD(aad, { plaintextLength: ciphertext.length });
      const plain = decipher.update(ciphertext);
      decipher.final();
      return plain;
    }
    const decipher = createDecipheriv(cipher.algorithm as CipherGCMTypes, key, nonce, { authTagLength: cipher.tagLength });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    const plain = decipher.update(ciphertext);
    const rest = decipher.final();
    return rest.length === 0 ? plain : concat(plain, rest);
  } catch {
    return null;
  }
}

/** The per-record nonce of TLS 1.3 and of ChaCha20 in TLS 1.2 (RFC 7905): the IV XOR the padded sequence. */
export function xorSequence(iv: Uint8Array, sequence: bigint): Uint8Array {
  const nonce = Uint8Array.from(iv);
  let seq = sequence;
  for (let i = nonce.length - 1; i >= nonce.length - 8; i--) {
    nonce[i] = nonce[i]! ^ Number(seq & 0xffn);
    seq >>= 8n;
  }
  return nonce;
}

export function sequenceBytes(sequence: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, sequence);
  return out;
}

export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
