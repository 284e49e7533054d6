/**
 * Broken OCSP responses: real ones (openssl-made) truncated at every length and mutated (fast-check), lying
 * lengths and deep nesting. parseOcspResponse returns an OcspParseError or a summary, never throws or hangs.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isOcspParseError, parseOcspResponse, type OcspParseError, type OcspSummary } from '../../src/ocsp/parse.js';
import { fixturePath } from '../x509/fixtures.js';

const responses = ['ocsp-good', 'ocsp-revoked', 'ocsp-multi'].map((n) => ({ name: n, der: new Uint8Array(readFileSync(fixturePath(`${n}.der`))) }));

/** A hang shows as a slow call; the bound is loose because the machine is shared. */
function parseQuickly(der: Uint8Array): OcspSummary | OcspParseError {
  const started = performance.now();
  const result = parseOcspResponse(der);
  expect(performance.now() - started).toBeLessThan(1000);
  return result;
}

describe('truncated OCSP responses', () => {
  for (const { name, der } of responses) {
    it(`${name}: every prefix gives a parse error with the offset`, () => {
      for (let length = 0; length < der.length; length++) {
        const result = parseQuickly(der.subarray(0, length));
        expect(isOcspParseError(result), `prefix of ${length} bytes`).toBe(true);
        const error = result as OcspParseError;
        expect(error.length).toBe(length);
        expect(error.offset).not.toBeNull();
        expect(error.message).toMatch(/offset \d+/);
      }
    });
  }
});

describe('mutated OCSP responses (fast-check)', () => {
  for (const { name, der } of responses) {
    it(`${name}: flipped and overwritten bytes never make parse throw`, () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.nat(der.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), (flips) => {
          const mutated = new Uint8Array(der);
          for (const [at, value] of flips) mutated[at]! ^= value;
          const result = parseQuickly(mutated);
          if (isOcspParseError(result)) {
            expect(['response', 'basic']).toContain(result.stage);
            expect(result.message.length).toBeGreaterThan(0);
          } else if (result.basic) {
            for (const single of result.basic.responses) expect(['good', 'revoked', 'unknown']).toContain(single.certStatus);
          }
        }),
        { numRuns: 500, seed: 42 },
      );
    });
  }

  it('random bytes never make parse throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const result = parseQuickly(bytes);
        expect(['ocsp-parse-error', 'ocsp-response']).toContain(result.kind);
      }),
      { numRuns: 2000, seed: 5 },
    );
  });
});

describe('lying lengths and hostile shapes', () => {
  it('an outer length claiming 4 GiB names the field and offset 0', () => {
    const der = responses[0]!.der;
    const lying = new Uint8Array([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, ...der.subarray(4)]);
    const result = parseQuickly(lying) as OcspParseError;
    expect(result.kind).toBe('ocsp-parse-error');
    expect(result.message).toMatch(/SEQUENCE at offset 0 says 4294967295 content bytes/);
    expect(result.offset).toBe(0);
  });

  it('a lying length inside the BasicOCSPResponse is reported at its offset', () => {
    const der = new Uint8Array(responses[1]!.der);
    // 30 82 LL LL 0a 01 00 a0 82 LL LL 30 82 LL LL 06 09 <oid> 04 82 LL LL | 30 82 LL LL (BasicOCSPResponse)
    const basicAt = der.indexOf(0x04, 15) + 4;
    expect(der[basicAt]).toBe(0x30);
    const tbsAt = basicAt + 4;
    der[tbsAt + 1] = 0x84; // the tbsResponseData length now claims 4 length octets of whatever follows
    const result = parseQuickly(der) as OcspParseError;
    expect(result.kind).toBe('ocsp-parse-error');
    expect(result.stage).toBe('basic');
    expect(result.offset).toBe(tbsAt);
  });

  it('bytes after the response are reported', () => {
    const der = responses[0]!.der;
    const result = parseQuickly(new Uint8Array([...der, 0, 0])) as OcspParseError;
    expect(result.message).toBe(`2 unexpected bytes after the OCSPResponse at offset ${der.length}`);
  });

  it('nesting deeper than any real response is refused', () => {
    const depth = 60;
    const bytes = new Uint8Array(depth * 2 + 2);
    bytes.set([0x05, 0x00], depth * 2);
    for (let i = 0; i < depth; i++) bytes.set([0x30, (depth - i - 1) * 2 + 2], i * 2);
    const result = parseQuickly(bytes) as OcspParseError;
    expect(result.message).toMatch(/nested more than 32 deep at offset \d+/);
  });
});
