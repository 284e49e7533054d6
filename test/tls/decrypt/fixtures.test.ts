/**
 * Recorded connections committed under test/fixtures/decrypt/ (made by live-peers.test.ts with Node's tls), so
 * decryption is checked without openssl or sockets.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKeyProvider, parseKeyLog } from '../../../src/tls/decrypt/index.js';
import { decryptTranscript } from './transcript.js';
import { repoPath } from '../../repo.js';

interface Fixture {
  client: string;
  server: string;
  keyLog: string;
  expected: {
    cipherSuite: number;
    clientApplicationData: string;
    serverApplicationData: string;
    clientHandshake: number[];
    serverHandshake: number[];
  };
}

const DIR = repoPath('test', 'fixtures', 'decrypt');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

describe('key logs that cannot open the TLS 1.3 handshake', () => {
  const fixture = JSON.parse(readFileSync(join(DIR, 'tls13-aes128gcm-client-cert.json'), 'utf8')) as Fixture;
  const client = Buffer.from(fixture.client, 'base64');
  const server = Buffer.from(fixture.server, 'base64');
  const lines = fixture.keyLog.trim().split('\n');

  it('without handshake traffic secrets the provider gives no keys (not an empty schedule)', () => {
    const { keyLog } = parseKeyLog(lines.filter((l) => !l.includes('HANDSHAKE')).join('\n'));
    const provider = createKeyProvider(keyLog);
    const result = decryptTranscript(client, server, provider);
    expect(provider.has(result.facts.clientRandom)).toBe(true);
    expect(provider.tls13(result.facts.clientRandom, result.facts.cipherSuite)).toBeNull();
  });

  it('secrets sized for SHA-384 do not fit a SHA-256 suite', () => {
    const longer = lines.map((l) => `${l}${'00'.repeat(16)}`).join('\n');
    const { keyLog, warnings } = parseKeyLog(longer);
    expect(warnings).toEqual([]);
    const provider = createKeyProvider(keyLog);
    const result = decryptTranscript(client, server, provider);
    expect(provider.tls13(result.facts.clientRandom, 0x1301)).toBeNull();
    // The same secrets are the right size for TLS_AES_256_GCM_SHA384: a schedule, whose records then fail.
    expect(provider.tls13(result.facts.clientRandom, 0x1302)).not.toBeNull();
  });

  it('with only the server handshake secret, the server side still decrypts', () => {
    const { keyLog } = parseKeyLog(lines.filter((l) => l.startsWith('SERVER_HANDSHAKE')).join('\n'));
    const result = decryptTranscript(client, server, createKeyProvider(keyLog));
    expect(result.server.handshakeTypes.slice(0, 5)).toEqual([8, 13, 11, 15, 20]);
    expect(result.client.decrypted).toEqual([]);
  });
});

describe('recorded connections', () => {
  it('has fixtures to read', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  for (const file of files) {
    const fixture = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Fixture;
    const client = Buffer.from(fixture.client, 'base64');
    const server = Buffer.from(fixture.server, 'base64');

    it(`${file}: every record authenticates, messages and data as sent`, () => {
      const { keyLog, warnings } = parseKeyLog(fixture.keyLog);
      expect(warnings).toEqual([]);
      const result = decryptTranscript(client, server, createKeyProvider(keyLog));
      expect(result.facts.cipherSuite).toBe(fixture.expected.cipherSuite);
      for (const side of [result.client, result.server]) {
        expect(side.failures).toEqual([]);
        expect(side.decrypted.length).toBe(side.encryptedCount);
      }
      expect(result.client.applicationData.toString('latin1')).toBe(fixture.expected.clientApplicationData);
      expect(result.server.applicationData.toString('latin1')).toBe(fixture.expected.serverApplicationData);
      expect(result.client.handshakeTypes.slice(0, fixture.expected.clientHandshake.length)).toEqual(fixture.expected.clientHandshake);
      expect(result.server.handshakeTypes.slice(0, fixture.expected.serverHandshake.length)).toEqual(fixture.expected.serverHandshake);
    });

    it(`${file}: a flipped bit in any encrypted record fails that record as bad-record-mac`, () => {
      const { keyLog } = parseKeyLog(fixture.keyLog);
      const clean = decryptTranscript(client, server, createKeyProvider(keyLog));
      // Flip one bit in the middle of the server's last record (its fragment, not its header): the last one,
      // because a failed record does not advance the sequence number, so every record after it fails too.
      const damaged = Buffer.from(server);
      let at = 0;
      let lastFragment = -1;
      let lastLength = 0;
      while (at + 5 <= damaged.length) {
        const length = damaged.readUInt16BE(at + 3);
        lastFragment = at + 5;
        lastLength = length;
        at += 5 + length;
      }
      expect(lastFragment).toBeGreaterThan(0);
      damaged[lastFragment + (lastLength >> 1)]! ^= 0x04;
      const result = decryptTranscript(client, damaged, createKeyProvider(keyLog));
      expect(result.server.failures).toHaveLength(1);
      expect(result.server.failures[0]!.reason).toBe('bad-record-mac');
      expect(result.server.decrypted.length).toBe(clean.server.decrypted.length - 1);
    });

    it(`${file}: a key log for another connection gives no keys`, () => {
      const other = fixture.keyLog.replace(/ ([0-9a-f]{64}) /g, (_, random: string) => ` ${random.slice(0, 63)}${random[63] === '0' ? '1' : '0'} `);
      const { keyLog } = parseKeyLog(other);
      expect(keyLog.size).toBe(1);
      const provider = createKeyProvider(keyLog);
      const result = decryptTranscript(client, server, provider);
      expect(provider.has(result.facts.clientRandom)).toBe(false);
      expect(result.client.decrypted).toEqual([]);
      expect(result.server.decrypted).toEqual([]);
    });
  }
});
