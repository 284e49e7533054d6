import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHandshakeMessage, TlsParseError } from '../../../src/tls/handshake/index.js';
import type { ClientHello, ServerHello } from '../../../src/tls/handshake/types.js';
import { loadFixtureMessages, type FixtureMessage } from './fixtures.js';

const messages = loadFixtureMessages();

/** Runs the parser; returns the TlsParseError it threw, 'ok' for a result, and rethrows anything else. */
function outcome(m: FixtureMessage, body: Uint8Array): TlsParseError | 'ok' {
  try {
    parseHandshakeMessage(m.msgType, body, m.context);
    return 'ok';
  } catch (error) {
    if (error instanceof TlsParseError) return error;
    throw new Error(`${m.where}: ${body.length}-byte body threw ${String(error)} instead of a TlsParseError`);
  }
}

/** Prefix lengths at which a shorter message is still well-formed on its own. */
function validPrefixLengths(m: FixtureMessage): Set<number> {
  const full = parseHandshakeMessage(m.msgType, m.body, m.context);
  if (full.type === 'ClientHello') {
    const hello = full as ClientHello;
    // A hello may end right after its compression methods (no extensions block at all).
    return new Set([35 + hello.sessionId.length + 2 + 2 * hello.cipherSuites.length + 1 + hello.compressionMethods.length]);
  }
  if (full.type === 'ServerHello' || full.type === 'HelloRetryRequest') {
    return new Set([35 + (full as ServerHello).sessionId.length + 3]);
  }
  return new Set();
}

describe('every truncation of every real message', () => {
  const files = [...new Set(messages.map((m) => m.where.split('#')[0]!))];
  for (const file of files) {
    it(file, () => {
      for (const m of messages.filter((x) => x.where.startsWith(`${file}#`))) {
        // Finished and ClientKeyExchange are opaque: every non-empty prefix is a well-formed message.
        const opaque = m.msgType === 20 || m.msgType === 16;
        const allowed = validPrefixLengths(m);
        for (let length = 0; length < m.body.length; length++) {
          const result = outcome(m, m.body.subarray(0, length));
          if (result === 'ok') {
            expect(opaque || allowed.has(length), `${m.where}: prefix of ${length} bytes parsed without error`).toBe(true);
            continue;
          }
          expect(result.offset, `${m.where} @${length}`).toBeGreaterThanOrEqual(0);
          expect(result.offset).toBeLessThanOrEqual(length);
          expect(result.expected.length).toBeGreaterThan(0);
          expect(result.message).toContain(`offset ${result.offset}`);
        }
      }
    });
  }
});

describe('random mutations of real messages (fast-check, fixed seed)', () => {
  it('give a result or a TlsParseError, never another exception', () => {
    const mutation = fc.record({
      index: fc.nat({ max: messages.length - 1 }),
      edits: fc.array(
        fc.oneof(
          fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
          fc.record({ kind: fc.constant('max' as const), at: fc.nat(), value: fc.constant(0xff) }),
          fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), value: fc.constant(0) }),
          fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
        ),
        { minLength: 1, maxLength: 6 },
      ),
      msgType: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
      tls13: fc.boolean(),
    });
    fc.assert(
      fc.property(mutation, ({ index, edits, msgType, tls13 }) => {
        const m = messages[index]!;
        let body = Uint8Array.from(m.body);
        for (const edit of edits) {
          const at = body.length === 0 ? 0 : edit.at % body.length;
          if (edit.kind === 'set' && body.length > 0) body[at] = edit.value;
          if (edit.kind === 'max' && body.length > 0) body.fill(0xff, at, at + 3);
          if (edit.kind === 'cut') body = body.subarray(0, at);
          if (edit.kind === 'insert') body = Uint8Array.from([...body.subarray(0, at), edit.value, ...body.subarray(at)]);
        }
        const context = { ...m.context, version: tls13 ? 0x0304 : m.context.version };
        try {
          parseHandshakeMessage(msgType ?? m.msgType, body, context);
        } catch (error) {
          if (!(error instanceof TlsParseError)) throw error;
          expect(error.offset).toBeLessThanOrEqual(body.length);
        }
      }),
      { seed: 20261122, numRuns: 3000 },
    );
  });
});
