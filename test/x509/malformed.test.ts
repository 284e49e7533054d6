/**
 * Broken certificates and names: real certificates truncated at every length and mutated byte by byte
 * (fast-check), lying length fields and deep nesting. Decoding must return an error object (what was
 * expected, at which offset) or a result — never throw, never hang, never allocate by a claimed length.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateChain } from '../../src/x509/chain.js';
import { decodeCertificate, isCertificateDecodeError } from '../../src/x509/decode.js';
import { parseDistinguishedName } from '../../src/x509/names.js';
import type { CertificateDecodeError, DecodedCertificate } from '../../src/x509/types.js';
import { cert } from './fixtures.js';

const AT = new Date('2026-06-01T00:00:00Z');
const samples = ['leaf-client.pem', 'leaf-server.pem', 'root.pem', 'names.pem', 'leaf-ed25519.pem'].map((n) => ({ name: n, der: cert(n) }));

/** A hang shows as a slow call; the bound is loose because the machine is shared. */
function decodeQuickly(der: Uint8Array): DecodedCertificate | CertificateDecodeError {
  const started = performance.now();
  const result = decodeCertificate(der);
  expect(performance.now() - started).toBeLessThan(1000);
  return result;
}

describe('truncated certificates', () => {
  for (const { name, der } of samples) {
    it(`${name}: every prefix gives a decode error with an offset`, () => {
      for (let length = 0; length < der.length; length++) {
        const result = decodeQuickly(der.subarray(0, length));
        expect(isCertificateDecodeError(result), `prefix of ${length} bytes`).toBe(true);
        const error = result as CertificateDecodeError;
        expect(error.length).toBe(length);
        expect(error.offset).not.toBeNull();
        expect(error.message).toMatch(/offset \d+/);
      }
    });
  }
});

describe('mutated certificates (fast-check)', () => {
  for (const { name, der } of samples.slice(0, 3)) {
    it(`${name}: flipped, overwritten, inserted and deleted bytes never make decode throw`, () => {
      const mutation = fc.oneof(
        fc.record({ kind: fc.constant('xor' as const), at: fc.nat(der.length - 1), value: fc.integer({ min: 1, max: 255 }) }),
        fc.record({ kind: fc.constant('set' as const), at: fc.nat(der.length - 1), value: fc.integer({ min: 0, max: 255 }) }),
        fc.record({ kind: fc.constant('insert' as const), at: fc.nat(der.length), value: fc.integer({ min: 0, max: 255 }) }),
        fc.record({ kind: fc.constant('delete' as const), at: fc.nat(der.length - 1), value: fc.constant(0) }),
      );
      fc.assert(
        fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
          let bytes = Array.from(der);
          for (const m of mutations) {
            const at = Math.min(m.at, bytes.length - (m.kind === 'insert' ? 0 : 1));
            if (at < 0) continue;
            if (m.kind === 'xor') bytes[at] = bytes[at]! ^ m.value;
            else if (m.kind === 'set') bytes[at] = m.value;
            else if (m.kind === 'insert') bytes.splice(at, 0, m.value);
            else bytes.splice(at, 1);
          }
          const mutated = new Uint8Array(bytes);
          bytes = [];
          const result = decodeQuickly(mutated);
          if (isCertificateDecodeError(result)) {
            expect(result.message.length).toBeGreaterThan(0);
            expect(['der', 'structure', 'name', 'public-key', 'peculiar']).toContain(result.stage);
          } else {
            expect(typeof result.summary.subject).toBe('string');
            expect(typeof result.summary.sha256).toBe('string');
          }
        }),
        { numRuns: 400, seed: 20260601 },
      );
    });
  }

  it('validateChain never throws on a mutated leaf or intermediate', async () => {
    const leaf = cert('leaf-client.pem');
    const inter = cert('intermediate.pem');
    const root = cert('root.pem');
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.nat(), fc.integer({ min: 1, max: 255 }), async (onLeaf, at, value) => {
        const target = new Uint8Array(onLeaf ? leaf : inter);
        target[at % target.length]! ^= value;
        const r = await validateChain({ presented: onLeaf ? [target, inter] : [leaf, target], anchors: [root], time: AT, purpose: 'clientAuth' });
        expect(typeof r.ok).toBe('boolean');
        if (!r.ok) expect(r.failure).not.toBeNull();
      }),
      { numRuns: 150, seed: 7 },
    );
  });
});

describe('lying lengths and hostile shapes', () => {
  it('a length field claiming 4 GiB is reported with its offset, without allocating', () => {
    const der = new Uint8Array(cert('leaf-client.pem'));
    // The TBSCertificate length at offset 4 (30 82 LL LL | 30 82 LL LL …): claim 0xffffffff instead.
    const lying = new Uint8Array([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, ...der.subarray(4)]);
    const result = decodeQuickly(lying);
    expect(isCertificateDecodeError(result)).toBe(true);
    expect((result as CertificateDecodeError).message).toMatch(/SEQUENCE at offset 0 says 4294967295 content bytes but only \d+ remain/);
    expect((result as CertificateDecodeError).offset).toBe(0);
  });

  it('five length octets are refused at their offset', () => {
    const result = decodeQuickly(new Uint8Array([0x30, 0x85, 1, 0, 0, 0, 0]));
    expect((result as CertificateDecodeError).message).toMatch(/length of 5 octets at offset 1/);
  });

  it('indefinite length (BER) is refused', () => {
    const result = decodeQuickly(new Uint8Array([0x30, 0x80, 0x00, 0x00]));
    expect((result as CertificateDecodeError).message).toMatch(/indefinite length at offset 1 is not DER/);
  });

  it('ten thousand nested SEQUENCEs give an error, not a stack overflow', () => {
    const depth = 10_000;
    // Level i starts at 4*i with a 4-byte header (30 82 LL LL) around everything after it; a NULL in the middle.
    const bytes = new Uint8Array(depth * 4 + 2);
    bytes.set([0x05, 0x00], depth * 4);
    for (let i = 0; i < depth; i++) {
      const length = (depth - i - 1) * 4 + 2;
      bytes.set([0x30, 0x82, length >> 8, length & 0xff], i * 4);
    }
    const result = decodeQuickly(bytes);
    expect(isCertificateDecodeError(result)).toBe(true);
  });

  it('random bytes as a Name: an error object or a name, never a throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = parseDistinguishedName(bytes);
        if (r.error) {
          expect(r.key).toBe('');
          expect(r.error.message).toMatch(/offset \d+/);
        }
      }),
      { numRuns: 2000, seed: 11 },
    );
  });

  it('every prefix of a real Name is an error with an offset, and the full Name parses', () => {
    const d = decodeCertificate(cert('names.pem'));
    if (isCertificateDecodeError(d)) throw new Error(d.message);
    const name = d.subjectDer;
    for (let length = 0; length < name.length; length++) {
      const r = parseDistinguishedName(name.subarray(0, length));
      expect(r.error?.message, `prefix ${length}`).toMatch(/offset \d+/);
    }
    expect(parseDistinguishedName(name).error).toBeUndefined();
  });
});
