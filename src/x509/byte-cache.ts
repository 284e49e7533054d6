import { sameBytes } from '../util/bytes.js';

/**
 * A bounded least-recently-used cache keyed by the bytes themselves (a certificate's or an OCSP response's
 * DER). The lookup key is the length and a 32-bit FNV-1a of the bytes — one pass of integer arithmetic, where
 * a SHA-256 per lookup cost 6-7 % of the handshake-heavy pipeline — and a hit is confirmed by comparing the
 * bytes, so a collision (accidental or crafted) is a miss, never a wrong answer.
 */
export class ByteKeyedCache<V> {
  private readonly entries = new Map<string, { bytes: Uint8Array; value: V }>();

  constructor(readonly limit: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(bytes: Uint8Array): V | undefined {
    const key = keyOf(bytes);
    const entry = this.entries.get(key);
    if (!entry || !sameBytes(entry.bytes, bytes)) return undefined;
    // Map keeps insertion order: re-inserting marks the entry as the most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Keeps its own copy of `bytes`: the caller's view may point into a reused capture buffer. */
  set(bytes: Uint8Array, value: V): void {
    const key = keyOf(bytes);
    this.entries.delete(key);
    if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { bytes: new Uint8Array(bytes), value });
  }

  clear(): void {
    this.entries.clear();
  }
}

function keyOf(bytes: Uint8Array): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  return `${bytes.length}:${hash >>> 0}`;
}
