import { createHash, createHmac } from 'node:crypto';

/** P_hash (RFC 5246 §5): HMAC-chained expansion of a secret over label + seed. */
function pHash(hash: string, secret: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let a: Uint8Array = createHmac(hash, secret).update(seed).digest();
  let filled = 0;
  while (filled < length) {
    const block = createHmac(hash, secret).update(a).update(seed).digest();
    const take = Math.min(block.length, length - filled);
    out.set(block.subarray(0, take), filled);
    filled += take;
    a = createHmac(hash, secret).update(a).digest();
  }
  return out;
}

function labelAndSeed(label: string, seed: Uint8Array): Uint8Array {
  const labelBytes = new TextEncoder().encode(label);
  const out = new Uint8Array(labelBytes.length + seed.length);
  out.set(labelBytes, 0);
  out.set(seed, labelBytes.length);
  return out;
}

/** The TLS 1.2 PRF with the suite's hash (SHA-256 unless the suite names SHA-384). */
export function tls12Prf(hash: 'sha256' | 'sha384', secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  return pHash(hash, secret, labelAndSeed(label, seed), length);
}

/** The TLS 1.0/1.1 PRF (RFC 2246 §5): P_MD5 over the first half of the secret XOR P_SHA1 over the second. */
export function tls10Prf(secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  const half = Math.ceil(secret.length / 2);
  const s1 = secret.subarray(0, half);
  const s2 = secret.subarray(secret.length - half);
  const input = labelAndSeed(label, seed);
  const md5 = pHash('md5', s1, input, length);
  const sha1 = pHash('sha1', s2, input, length);
  for (let i = 0; i < length; i++) md5[i] = md5[i]! ^ sha1[i]!;
  return md5;
}

/**
 * SSL 3.0's derivation (RFC 6101 §6.1-6.2.2): MD5(secret + SHA-1('A' + secret + seed)) + MD5(secret +
 * SHA-1('BB' + secret + seed)) + … — the master secret (seed: client random + server random) and the key block
 * (seed: server random + client random) alike.
 */
export function ssl3KeyBlock(secret: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0, filled = 0; filled < length; i++) {
    if (i >= 26) throw new Error('SSL 3.0 derivation longer than 26 blocks');
    const salt = new Uint8Array(i + 1).fill(0x41 + i);
    const inner = createHash('sha1').update(salt).update(secret).update(seed).digest();
    const block = createHash('md5').update(secret).update(inner).digest();
    const take = Math.min(block.length, length - filled);
    out.set(block.subarray(0, take), filled);
    filled += take;
  }
  return out;
}
