import { createHmac } from 'node:crypto';

/**
 * HKDF-Expand (RFC 5869 §2.3). node:crypto's hkdfSync always runs Extract first, and TLS 1.3 traffic secrets
 * are already pseudorandom keys, so Expand is written out over HMAC.
 */
export function hkdfExpand(hash: 'sha256' | 'sha384', prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let previous: Uint8Array = new Uint8Array(0);
  let filled = 0;
  for (let counter = 1; filled < length; counter++) {
    const hmac = createHmac(hash, prk);
    hmac.update(previous);
    hmac.update(info);
    hmac.update(Uint8Array.of(counter));
    previous = hmac.digest();
    const take = Math.min(previous.length, length - filled);
    out.set(previous.subarray(0, take), filled);
    filled += take;
  }
  return out;
}

/**
 * HKDF-Expand-Label (RFC 8446 §7.1): the label is prefixed with "tls13 ". TLS 1.3 drafts before 20 prefixed
 * "TLS 1.3, " in the same structure (draft-ietf-tls-tls13-18 §7.1).
 */
export function hkdfExpandLabel(
  hash: 'sha256' | 'sha384',
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
  prefix: 'tls13 ' | 'TLS 1.3, ' = 'tls13 ',
): Uint8Array {
  const fullLabel = new TextEncoder().encode(`${prefix}${label}`);
  const info = new Uint8Array(2 + 1 + fullLabel.length + 1 + context.length);
  info[0] = length >> 8;
  info[1] = length & 0xff;
  info[2] = fullLabel.length;
  info.set(fullLabel, 3);
  info[3 + fullLabel.length] = context.length;
  info.set(context, 4 + fullLabel.length);
  return hkdfExpand(hash, secret, info, length);
}

export function hashLength(hash: 'sha256' | 'sha384'): number {
  return hash === 'sha256' ? 32 : 48;
}
