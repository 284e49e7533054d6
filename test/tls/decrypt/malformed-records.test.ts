/**
 * Damaged and hostile records: truncated, flipped, lying headers, oversized, random. The decryptors must
 * answer with a failure reason (never throw), leave their sequence number where it was, and still decrypt
 * the real next record afterwards.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KeyProvider } from '../../../src/tls/keys.js';
import {
  createKeyProvider,
  DECRYPTABLE_CIPHER_SUITES,
  parseKeyLog,
  Tls13KeySchedule,
  tls12Decryptors,
  tls13TrafficKeys,
  cipherSuiteParams,
  type DecryptFailureReason,
  type RecordDecryptor,
} from '../../../src/tls/decrypt/index.js';
import { helloFacts, splitRecords, type RawRecord } from './transcript.js';
import { repoPath } from '../../repo.js';

const REASONS: DecryptFailureReason[] = ['bad-record-mac', 'record-too-short', 'record-too-long', 'bad-padding', 'no-content-type', 'bad-header'];

interface Fixture {
  client: string;
  server: string;
  keyLog: string;
}

function load(name: string): { client: RawRecord[]; server: RawRecord[]; provider: KeyProvider } {
  const fixture = JSON.parse(readFileSync(repoPath('test', 'fixtures', 'decrypt', `${name}.json`), 'utf8')) as Fixture;
  return {
    client: splitRecords(Buffer.from(fixture.client, 'base64')).records,
    server: splitRecords(Buffer.from(fixture.server, 'base64')).records,
    provider: createKeyProvider(parseKeyLog(fixture.keyLog).keyLog),
  };
}

/** The server's first encrypted record and a fresh decryptor positioned for it. */
function firstServerRecord(name: 'tls13' | 'tls12'): { record: RawRecord; fresh: () => RecordDecryptor } {
  if (name === 'tls13') {
    const { client, server, provider } = load('tls13-aes128gcm-client-cert');
    const facts = helloFacts(client, server);
    const record = server.find((r) => r.type === 23)!;
    return { record, fresh: () => provider.tls13(facts.clientRandom, facts.cipherSuite)!.serverHandshake as RecordDecryptor };
  }
  const { client, server, provider } = load('tls12-ecdhe-rsa-aes128-sha256-etm');
  const facts = helloFacts(client, server);
  const ccs = server.findIndex((r) => r.type === 20);
  return { record: server[ccs + 1]!, fresh: () => provider.tls12({ ...facts })!.server as RecordDecryptor };
}

function expectFailure(decryptor: RecordDecryptor, header: Uint8Array, fragment: Uint8Array): DecryptFailureReason {
  const before = (decryptor as RecordDecryptor & { sequence: bigint }).sequence;
  const result = decryptor.decrypt(header, fragment);
  expect(result.ok).toBe(false);
  if (result.ok) throw new Error('unreachable');
  expect(REASONS).toContain(result.reason);
  expect((decryptor as RecordDecryptor & { sequence: bigint }).sequence).toBe(before);
  return result.reason as DecryptFailureReason;
}

for (const version of ['tls13', 'tls12'] as const) {
  describe(`${version} recorded record, damaged`, () => {
    const { record, fresh } = firstServerRecord(version);

    it('decrypts undamaged (the baseline the other cases change)', () => {
      expect(fresh().decrypt(record.header, record.fragment).ok).toBe(true);
    });

    it('every truncation fails without a throw, then the whole record still decrypts', () => {
      const decryptor = fresh();
      for (let length = 0; length < record.fragment.length; length++) {
        const header = Uint8Array.from(record.header);
        header[3] = length >> 8;
        header[4] = length & 0xff;
        expectFailure(decryptor, header, record.fragment.subarray(0, length));
      }
      expect(decryptor.decrypt(record.header, record.fragment).ok).toBe(true);
    });

    it('a flipped bit anywhere in the fragment is bad-record-mac', () => {
      const decryptor = fresh();
      const step = Math.max(1, Math.floor(record.fragment.length / 97));
      for (let at = 0; at < record.fragment.length; at += step) {
        const damaged = Uint8Array.from(record.fragment);
        damaged[at]! ^= 1 << (at % 8);
        // TLS 1.1+ CBC: the explicit IV only changes the first plaintext block, which EtM's MAC still covers.
        expect(expectFailure(decryptor, record.header, damaged)).toBe('bad-record-mac');
      }
      expect(decryptor.decrypt(record.header, record.fragment).ok).toBe(true);
    });

    it('a changed content type or version in the header is bad-record-mac (authenticated data)', () => {
      const decryptor = fresh();
      for (const [index, value] of [
        [0, 21],
        [0, 22],
        [0, 23],
        [1, 0x02],
        [2, 0x01],
      ] as const) {
        if (record.header[index] === value) continue;
        const header = Uint8Array.from(record.header);
        header[index] = value;
        expect(expectFailure(decryptor, header, record.fragment)).toBe('bad-record-mac');
      }
    });

    it('a header whose length lies about the fragment never throws', () => {
      for (const length of [0, 1, record.fragment.length - 1, record.fragment.length + 1, 0xffff]) {
        const header = Uint8Array.from(record.header);
        header[3] = length >> 8;
        header[4] = length & 0xff;
        const result = fresh().decrypt(header, record.fragment);
        // TLS 1.3 authenticates the header's length; TLS 1.2 authenticates the fragment's real length.
        if (version === 'tls13') expect(result).toMatchObject({ ok: false, reason: 'bad-record-mac' });
        else expect(result.ok).toBe(true);
      }
    });

    it('headers that are not 5 bytes are bad-header', () => {
      const decryptor = fresh();
      for (const size of [0, 4, 6, 13]) expect(expectFailure(decryptor, new Uint8Array(size), record.fragment)).toBe('bad-header');
    });

    it('an oversized fragment is refused by size, not decrypted', () => {
      const decryptor = fresh();
      const huge = new Uint8Array(70_000);
      expect(expectFailure(decryptor, Uint8Array.of(23, 3, 3, 0xff, 0xff), huge)).toBe('record-too-long');
    });
  });
}

describe('TLS 1.3 inner plaintext', () => {
  /** A record sealed with the fixture's real server handshake keys at sequence 0, around a chosen plaintext. */
  function seal(plaintext: Uint8Array): { header: Uint8Array; fragment: Uint8Array; fresh: () => RecordDecryptor } {
    const fixture = JSON.parse(readFileSync(repoPath('test', 'fixtures', 'decrypt', 'tls13-aes128gcm-client-cert.json'), 'utf8')) as Fixture;
    const line = fixture.keyLog.split('\n').find((l) => l.startsWith('SERVER_HANDSHAKE_TRAFFIC_SECRET'))!;
    const { keyLog } = parseKeyLog(fixture.keyLog);
    const random = Buffer.from(line.split(' ')[1]!, 'hex');
    const keys = tls13TrafficKeys(cipherSuiteParams(0x1301)!, Buffer.from(line.split(' ')[2]!, 'hex'));
    const header = Uint8Array.of(23, 3, 3, (plaintext.length + 16) >> 8, (plaintext.length + 16) & 0xff);
    const cipher = createCipheriv('aes-128-gcm', keys.key, keys.iv);
    cipher.setAAD(header);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return { header, fragment: body, fresh: () => createKeyProvider(keyLog).tls13(random, 0x1301)!.serverHandshake as RecordDecryptor };
  }

  it('strips zero padding after the real content type', () => {
    const { header, fragment, fresh } = seal(Uint8Array.of(1, 2, 3, 21, 0, 0, 0, 0, 0));
    const result = fresh().decrypt(header, fragment);
    expect(result).toMatchObject({ ok: true, contentType: 21 });
    if (result.ok) expect(Array.from(result.content)).toEqual([1, 2, 3]);
  });

  it('a plaintext of zeros only is no-content-type, and the authenticated record still counts', () => {
    const { header, fragment, fresh } = seal(new Uint8Array(40));
    const decryptor = fresh() as RecordDecryptor & { sequence: bigint };
    expect(decryptor.decrypt(header, fragment)).toMatchObject({ ok: false, reason: 'no-content-type' });
    // It authenticated, so the peer did send record 0: the next record is number 1.
    expect(decryptor.sequence).toBe(1n);
  });
});

/** A decryptor of every decryptable suite under random keys, for each version the suite runs on. */
function everyDecryptor(): Array<{ label: string; make: () => RecordDecryptor }> {
  const out: Array<{ label: string; make: () => RecordDecryptor }> = [];
  for (const params of DECRYPTABLE_CIPHER_SUITES.values()) {
    if (params.tls13) {
      const secret = randomBytes(params.prfHash === 'sha384' ? 48 : 32);
      out.push({
        label: params.name,
        make: () => Tls13KeySchedule.create(params.suite, { clientRandom: randomBytes(32), serverHandshakeTrafficSecret: secret })!.serverHandshake!,
      });
      continue;
    }
    const versions = params.cipher.kind === 'cbc' ? [0x0301, 0x0302, 0x0303] : [0x0303];
    for (const version of versions) {
      for (const encryptThenMac of params.cipher.kind === 'cbc' ? [false, true] : [false]) {
        const masterSecret = randomBytes(48);
        const clientRandom = randomBytes(32);
        const serverRandom = randomBytes(32);
        out.push({
          label: `${params.name} v${version.toString(16)}${encryptThenMac ? ' etm' : ''}`,
          make: () => tls12Decryptors({ suite: params.suite, version, masterSecret, clientRandom, serverRandom, encryptThenMac })!.client,
        });
      }
    }
  }
  return out;
}

describe('random records against every decryptable suite', () => {
  const decryptors = everyDecryptor();

  it('covers TLS 1.3 AEADs, TLS 1.2 AEADs and CBC at three versions', () => {
    expect(decryptors.length).toBeGreaterThan(50);
  });

  it('never throws and never advances on random bytes and lengths', () => {
    const made = decryptors.map((d) => ({ label: d.label, decryptor: d.make() }));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: made.length - 1 }),
        fc.uint8Array({ minLength: 0, maxLength: 5 }),
        fc.oneof(fc.uint8Array({ minLength: 0, maxLength: 120 }), fc.integer({ min: 0, max: 20_000 }).map((n) => randomBytes(n))),
        fc.constantFrom(20, 21, 22, 23, 0),
        (which, headerTail, fragment, type) => {
          const { decryptor } = made[which]!;
          const header = Uint8Array.of(type, 3, 3, (fragment.length >> 8) & 0xff, fragment.length & 0xff);
          header.set(headerTail.subarray(0, 2), 1);
          const result = decryptor.decrypt(header, fragment);
          // Random bytes authenticate with probability 2^-64 at best (CCM_8); treat success as a failure.
          expect(result.ok).toBe(false);
          if (!result.ok) expect(REASONS).toContain(result.reason);
          expect((decryptor as RecordDecryptor & { sequence: bigint }).sequence).toBe(0n);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('gives every failure a message without the key', () => {
    for (const { label, make } of decryptors) {
      const result = make().decrypt(Uint8Array.of(23, 3, 3, 0, 64), randomBytes(64));
      expect(result.ok, label).toBe(false);
      if (!result.ok) {
        expect(result.message.length).toBeGreaterThan(10);
        expect(result.message).not.toMatch(/[0-9a-f]{16}/i);
      }
    }
  });
});
