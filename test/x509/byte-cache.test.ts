import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ByteKeyedCache } from '../../src/x509/byte-cache.js';

describe('ByteKeyedCache', () => {
  // A real certificate's DER (openssl-made corpus PKI).
  const pem = readFileSync('captures/pki/root.pem', 'utf8');
  const der = new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));

  it('finds a value by equal bytes in another buffer, and keeps its own copy', () => {
    const cache = new ByteKeyedCache<string>(4);
    const view = new Uint8Array(der);
    cache.set(view, 'root');
    view.fill(0);
    expect(cache.get(new Uint8Array(der))).toBe('root');
    expect(cache.get(view)).toBeUndefined();
  });

  it('treats a changed byte as a miss even with the same length', () => {
    const cache = new ByteKeyedCache<string>(4);
    cache.set(der, 'root');
    const changed = new Uint8Array(der);
    changed[changed.length - 1]! ^= 1;
    expect(cache.get(changed)).toBeUndefined();
  });

  it('never holds more than its limit, dropping the least recently used', () => {
    const cache = new ByteKeyedCache<number>(3);
    const bytes = (n: number) => new Uint8Array([n, n + 1, n + 2]);
    for (let i = 0; i < 3; i++) cache.set(bytes(i), i);
    expect(cache.get(bytes(0))).toBe(0);
    cache.set(bytes(9), 9);
    expect(cache.size).toBe(3);
    expect(cache.get(bytes(1))).toBeUndefined();
    expect(cache.get(bytes(0))).toBe(0);
    expect(cache.get(bytes(9))).toBe(9);
  });
});
