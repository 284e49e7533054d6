import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/index.js';
import { KeyLog, loadServerKeys, PskSet, ServerKeyRing } from '../../src/tls/decrypt/index.js';
import { runPipeline } from './pipeline.js';
import { REPO_ROOT as REPO } from '../repo.js';

/** Small real captures covering pcap, pcapng with secrets, SLL2, TLS 1.2 and 1.3 with client certificates, OCSP. */
const SEEDS = [
  'captures/mtls/nginx-tls13-valid-client-cert.pcap',
  'captures/mtls/s-server-tls12-other-root-client-cert.pcap',
  'captures/server/ocsp-stapled-revoked.pcap',
  'captures/formats/with-secrets.pcapng',
  'captures/formats/any-sll2.pcap',
  'test/fixtures/handshake/captures/java17-sslv2hello.pcap',
].map((f) => new Uint8Array(readFileSync(join(REPO, f))));

type Mutation =
  | { kind: 'set'; at: number; value: number }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'u32'; at: number; value: number }
  | { kind: 'cut'; at: number }
  | { kind: 'erase'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number };

const position = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: position, value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('u32' as const), at: position, value: fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xffff, 0x4001, 0xffffff) }),
  fc.record({ kind: fc.constant('cut' as const), at: position }),
  fc.record({ kind: fc.constant('erase' as const), at: position, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: position, length: fc.integer({ min: 1, max: 256 }) }),
);

function apply(input: Uint8Array, mutations: Mutation[]): Uint8Array {
  let data = Uint8Array.from(input);
  for (const m of mutations) {
    if (data.length === 0) break;
    const at = Math.floor(m.at * data.length);
    switch (m.kind) {
      case 'set':
        data[at] = m.value;
        break;
      case 'flip':
        data[at]! ^= 1 << m.bit;
        break;
      case 'u32':
        if (at + 4 <= data.length) new DataView(data.buffer, data.byteOffset).setUint32(at, m.value, at % 2 === 0);
        break;
      case 'cut':
        data = data.subarray(0, at);
        break;
      case 'erase':
        data = Uint8Array.from([...data.subarray(0, at), ...data.subarray(at + m.length)]);
        break;
      case 'duplicate':
        data = Uint8Array.from([...data.subarray(0, at + m.length), ...data.subarray(at)]);
        break;
    }
  }
  return data;
}

const input = fc.record({ seed: fc.integer({ min: 0, max: SEEDS.length - 1 }), mutations: fc.array(mutation, { minLength: 1, maxLength: 6 }) });

describe('random mutations of real captures (fast-check, fixed seed)', () => {
  it('the whole pipeline returns a result in bounded time, never throws', async () => {
    await fc.assert(
      fc.asyncProperty(input, async ({ seed, mutations }) => {
        const started = performance.now();
        const result = await runPipeline(apply(SEEDS[seed]!, mutations));
        expect(performance.now() - started).toBeLessThan(2000);
        expect(JSON.parse(result.json)).toBeTypeOf('object');
        expect(result.text.length).toBeGreaterThan(0);
      }),
      { seed: 20261122, numRuns: 400 },
    );
  });

  it('with the server key and a PSK (--key, --psk): a mutated RSA, renegotiation or PSK session never throws or stalls', async () => {
    const keyed = ['rsa-tls12-renegotiation-client-cert', 'rsa-tls10-aes128-sha-s-client', 'rsa-tls12-resumed-s-client', 'psk-tls12-s-client'].map(
      (name) => new Uint8Array(readFileSync(join(REPO, 'captures/keys', `${name}.pcap`))),
    );
    const serverKeys = new ServerKeyRing();
    serverKeys.add(loadServerKeys(readFileSync(join(REPO, 'captures/keys/server-rsa.key.pem')), 'server-rsa.key.pem', undefined));
    const psks = new PskSet();
    psks.add('6b6579732d746c73646961672d70736b2d3031', null, '--psk');
    const keyedInput = fc.record({ seed: fc.integer({ min: 0, max: keyed.length - 1 }), mutations: fc.array(mutation, { minLength: 1, maxLength: 6 }) });
    // Unmutated, each opens: the property below runs on sessions the keys really decrypt.
    for (const capture of keyed) {
      const plain = await runPipeline(capture, new KeyLog(), { serverKeys, psks });
      expect(plain.connections.every((c) => c.decrypted)).toBe(true);
    }
    await fc.assert(
      fc.asyncProperty(keyedInput, async ({ seed, mutations }) => {
        const started = performance.now();
        const result = await runPipeline(apply(keyed[seed]!, mutations), new KeyLog(), { serverKeys, psks });
        expect(performance.now() - started).toBeLessThan(2000);
        expect(JSON.parse(result.json)).toBeTypeOf('object');
      }),
      { seed: 20261207, numRuns: 300 },
    );
  });

  it('the capture reader delivers whole frames and at most one error, never rejects', async () => {
    await fc.assert(
      fc.asyncProperty(input, async ({ seed, mutations }) => {
        const bytes = apply(SEEDS[seed]!, mutations);
        let frames = 0;
        const summary = await readCapture(bytes, {
          frame: (f) => {
            frames++;
            expect(f.offset + f.capturedLength).toBeLessThanOrEqual(f.bytes.length);
            expect(f.capturedLength).toBeLessThanOrEqual(256 * 1024);
          },
        });
        expect(summary.frames).toBe(frames);
        if (summary.error) expect(summary.error.message.length).toBeGreaterThan(10);
      }),
      { seed: 20261123, numRuns: 500 },
    );
  });
});
