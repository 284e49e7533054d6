import { execFileSync } from 'node:child_process';
import { constants, createPrivateKey, createPublicKey, publicEncrypt } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze, type AnalyzeOptions } from '../../../src/analyze.js';
import type { ConnectionReport } from '../../../src/model/types.js';
import { decryptPremaster } from '../../../src/tls/decrypt/rsa.js';
import { loadServerKeys, ServerKeyError } from '../../../src/tls/decrypt/server-keys.js';
import { pkcs12KeyBags } from '../../../src/tls/decrypt/pkcs12.js';
import { tempDir } from '../../temp-dir.js';
import { requireTool } from '../../tools.js';
import { repoPath } from '../../repo.js';

/** The cross-check of a decrypted request with tshark's own RSA decryption (test/tools.ts). */
const HAS_TSHARK = requireTool('tshark', "the comparison with tshark's RSA decryption");

/**
 * The real captures of captures/keys (scripts/keys.sh): the server's private key (--key, in every file form
 * the folder holds) and the PSK (--psk) open each session exactly as its key log does.
 */
const dir = repoPath('captures', 'keys');

interface Meta {
  scenario: string;
  keyLog: string | null;
  opens: { keys?: string[]; keyPassword?: string; psk?: string; pskIdentity?: string };
}
const metas: Meta[] = readdirSync(dir)
  .filter((f) => f.endsWith('.meta.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Meta);

const capture = (m: Meta): string => join(dir, `${m.scenario}.pcap`);

/** The connection as the report gives it, less what names the source of the keys. */
function comparable(c: ConnectionReport): unknown {
  const { decryptedWith: _source, ...rest } = c;
  return rest;
}

async function one(m: Meta, options: AnalyzeOptions): Promise<{ connection: ConnectionReport; warnings: string[] }> {
  const result = await analyze(capture(m), options);
  expect(result.connections).toHaveLength(1);
  return { connection: result.connections[0]!, warnings: result.warnings.map((w) => `${w.code}: ${w.message}`) };
}

describe('captures/keys: the private key opens what the key log opens', () => {
  it('has the scenarios', () => {
    expect(metas.filter((m) => (m.opens.keys ?? []).length > 0).length).toBeGreaterThanOrEqual(6);
    expect(metas.some((m) => m.opens.psk)).toBe(true);
  });

  for (const m of metas.filter((x) => (x.opens.keys ?? []).length > 0 && x.keyLog !== null)) {
    describe(m.scenario, () => {
      for (const keyFile of m.opens.keys!) {
        it(`--key ${keyFile} gives the key log's report`, async () => {
          const byKeyLog = await analyze(capture(m), { keyLogFiles: [join(dir, m.keyLog!)] });
          const byKey = await analyze(capture(m), { keyFiles: [join(dir, keyFile)], keyPassword: m.opens.keyPassword });
          expect(byKeyLog.connections.map((c) => c.decryptedWith)).toEqual(byKeyLog.connections.map(() => 'key-log'));
          expect(byKey.connections.map((c) => c.decryptedWith)).toEqual(byKey.connections.map(() => 'private-key'));
          expect(byKey.warnings).toEqual([]);
          expect(byKey.connections.map(comparable)).toEqual(byKeyLog.connections.map(comparable));
        });
      }
      it('stays encrypted without a key', async () => {
        const plain = await analyze(capture(m), {});
        expect(plain.connections.some((c) => c.decrypted)).toBe(false);
      });
    });
  }

  it('resumed sessions open through the full handshake whose session id they resume', async () => {
    const m = metas.find((x) => x.scenario === 'rsa-tls12-resumed-s-client')!;
    const result = await analyze(capture(m), { keyFiles: [join(dir, 'server-rsa.key.pem')] });
    expect(result.connections).toHaveLength(6);
    expect(result.connections.filter((c) => !c.history.includes('G'))).toHaveLength(5);
    expect(result.connections.every((c) => c.decryptedWith === 'private-key')).toBe(true);
    expect(result.connections.map((c) => c.resumed)).toEqual([false, true, true, true, true, true]);
    expect(new Set(result.connections.map((c) => c.sessionId)).size).toBe(1);
  });

  it('the first line of application data is joined across records, past empty ones', async () => {
    const lines = async (scenario: string): Promise<string[]> => {
      const m = metas.find((x) => x.scenario === scenario)!;
      const { connection } = await one(m, { keyFiles: [join(dir, 'server-rsa.key.pem')] });
      return connection.timeline.filter((e) => e.kind === 'ApplicationData').map((e) => `${e.from} ${e.summary}`);
    };
    // JSSE's 1/n-1 split of its second and later CBC records: 'GET ', '/', 'test HTTP/1.0\r\n'.
    expect(await lines('rsa-tls10-aes128-sha-java-piecewise')).toEqual([
      'client application data: "GET /test HTTP/1.0"',
      'server application data: "HTTP/1.0 200 ok"',
    ]);
    // OpenSSL's TLS 1.0 CBC empty record before the data, on both sides.
    expect(await lines('rsa-tls10-aes128-sha-s-client')).toEqual([
      'client application data: "GET /test HTTP/1.0"',
      'server application data: "HTTP/1.0 200 ok"',
    ]);
  });

  it('SSL 3.0 (Java on both sides, no key log exists): the private key opens it as tshark does with the same key', async () => {
    const m = metas.find((x) => x.scenario === 'ssl3-aes128-sha-java')!;
    expect(m.keyLog).toBeNull();
    const { connection } = await one(m, { keyFiles: [join(dir, 'server-rsa.p12')], keyPassword: m.opens.keyPassword });
    expect(connection.version).toBe('SSL 3.0');
    expect(connection.decryptedWith).toBe('private-key');
    const shown = connection.timeline.map((e) => `${e.from} ${e.kind} ${e.summary}`);
    expect(shown).toContain('client Finished Finished');
    expect(shown).toContain('server Finished Finished');
    expect(shown).toContain('client ApplicationData application data: "GET / HTTP/1.1"');
    expect(shown).toContain('server ApplicationData application data: "HTTP/1.0 200 ok"');
    expect(connection.alerts.map((a) => `${a.from} ${a.description}`)).toEqual(['server close_notify', 'client close_notify']);
    if (HAS_TSHARK) {
      const line = execFileSync('tshark', ['-r', capture(m), '-o', `uat:rsa_keys:"${join(dir, 'server-rsa.key.pem')}",""`, '-Y', 'http.request',
        '-T', 'fields', '-e', 'http.request.method', '-e', 'http.request.uri', '-e', 'http.request.version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      expect(line.trim().split('\t').join(' ')).toBe('GET / HTTP/1.1');
    }
  });

  it('the renegotiation shows the client certificate sent only in the second handshake', async () => {
    const m = metas.find((x) => x.scenario === 'rsa-tls12-renegotiation-client-cert')!;
    const { connection } = await one(m, { keyFiles: [join(dir, 'server-rsa.key.pem')] });
    expect(connection.clientCertificates?.[0]?.subject).toBe('CN=tlsdiag Keys Test Client');
    expect(connection.certificateRequest?.encrypted).toBe(true);
    const requests = connection.timeline.filter((e) => e.kind === 'CertificateRequest');
    expect(requests).toHaveLength(1);
  });

  it('a PSK suite opens with --psk and with --psk-file, as with its key log', async () => {
    const m = metas.find((x) => x.opens.psk)!;
    const byKeyLog = await one(m, { keyLogFiles: [join(dir, m.keyLog!)] });
    const byPsk = await one(m, { psks: [m.opens.psk!] });
    expect(byPsk.connection.decryptedWith).toBe('psk');
    expect(comparable(byPsk.connection)).toEqual(comparable(byKeyLog.connection));
    {
      const file = join(tempDir('tlsdiag-psk-'), 'psks.txt');
      writeFileSync(file, `# identity hex\nsomeone-else 00112233\n${m.opens.pskIdentity} ${m.opens.psk}\n`);
      const byFile = await one(m, { pskFiles: [file] });
      expect(comparable(byFile.connection)).toEqual(comparable(byKeyLog.connection));
      // The identity's own key wins over a key for any identity.
      const wrong = await one(m, { pskFiles: [file], psks: ['00112233'] });
      expect(wrong.connection.decrypted).toBe(true);
    }
    const wrong = await one(m, { psks: ['00112233445566778899'] });
    expect(wrong.connection.decrypted).toBe(false);
    const mismatch = wrong.connection.findings.find((f) => f.id === 'keylog-mismatch');
    expect(mismatch?.explanation).toMatch(/^The pre-shared key given \(--psk\) was used/);
  });

  it('TLS 1.3 on an external PSK with psk_dhe_ke: --psk cannot open it, the key log can', async () => {
    const m = metas.find((x) => x.scenario === 'psk-tls13-s-client')!;
    const byPsk = await one(m, { psks: ['6b6579732d746c73646961672d70736b2d3031'] });
    expect(byPsk.connection.version).toBe('TLS 1.3');
    expect(byPsk.connection.resumed).toBe(true);
    expect(byPsk.connection.serverExtensions).toContain('key_share');
    expect(byPsk.connection.decrypted).toBe(false);
    const byKeyLog = await one(m, { keyLogFiles: [join(dir, m.keyLog!)] });
    expect(byKeyLog.connection.decrypted).toBe(true);
  });

  it('an ECDHE session says the private key cannot open it', async () => {
    const m = metas.find((x) => x.scenario === 'ecdhe-tls12-s-client')!;
    const byKey = await one(m, { keyFiles: [join(dir, 'server-rsa.key.pem')] });
    expect(byKey.connection.decrypted).toBe(false);
    expect(byKey.connection.findings.map((f) => f.id)).toContain('private-key-cannot-decrypt');
    // The key matched the server certificate: no warning about it.
    expect(byKey.warnings).toEqual([]);
    const byKeyLog = await one(m, { keyLogFiles: [join(dir, m.keyLog!)] });
    expect(byKeyLog.connection.decrypted).toBe(true);
    expect(byKeyLog.connection.findings.map((f) => f.id)).not.toContain('private-key-cannot-decrypt');
  });

  it('a key that matches no certificate of the capture is a warning naming its file', async () => {
    const m = metas.find((x) => x.scenario === 'rsa-tls12-aes128-sha-s-client')!;
    const file = join(dir, 'unrelated-rsa.key.pem');
    const { connection, warnings } = await one(m, { keyFiles: [file] });
    expect(connection.decrypted).toBe(false);
    expect(warnings).toEqual([`key-unmatched: the private key in ${file} matches no server certificate of the capture`]);
  });

  it('over several captures: one warning for a key that matched in none, none for a key that matched in one', async () => {
    const unrelated = join(dir, 'unrelated-rsa.key.pem');
    const captures = [join(dir, 'rsa-tls12-aes128-sha-s-client.pcap'), join(dir, 'psk-tls12-s-client.pcap'), join(dir, 'ecdhe-tls12-s-client.pcap')];
    const result = await analyze(captures, { keyFiles: [join(dir, 'server-rsa.key.pem'), unrelated] });
    expect(result.warnings.map((w) => `${w.file}: ${w.message}`)).toEqual([
      `${unrelated}: the private key in ${unrelated} matches no server certificate of any of the 3 captures`,
    ]);
    expect(result.connections.map((c) => c.decryptedWith)).toEqual(['private-key', null, null]);
  });

  it('an encrypted key without its password, or with a wrong one, is a warning that never shows the password', async () => {
    const m = metas.find((x) => x.scenario === 'rsa-tls12-aes128-sha-s-client')!;
    for (const keyFile of ['server-rsa.enc.key.pem', 'server-rsa.p12', 'server-rsa-legacy.p12']) {
      const none = await one(m, { keyFiles: [join(dir, keyFile)] });
      expect(none.connection.decrypted).toBe(false);
      expect(none.warnings.join('\n')).toMatch(/key-unreadable: .*(password|decrypt)/);
      const wrong = await one(m, { keyFiles: [join(dir, keyFile)], keyPassword: 'not-the-password-x7' });
      expect(wrong.connection.decrypted).toBe(false);
      expect(wrong.warnings.join('\n')).toContain('key-unreadable');
      expect(wrong.warnings.join('\n')).not.toContain('not-the-password-x7');
    }
  });
});

describe('PKCS#12 key bags', () => {
  it('opens the key bag of a legacy file whose certificate bag is RC2-40', () => {
    const bytes = readFileSync(join(dir, 'server-rsa-legacy.p12'));
    const bags = pkcs12KeyBags(bytes);
    expect(bags.keys).toEqual([expect.objectContaining({ encrypted: true })]);
    expect(bags.encryptedContents).toBe(1);
    const [key] = loadServerKeys(bytes, 'legacy.p12', 'tlsdiag-p12');
    const pem = createPrivateKey(readFileSync(join(dir, 'server-rsa.key.pem')));
    expect(key!.spki.equals(Buffer.from(createPublicKey(pem).export({ format: 'der', type: 'spki' })))).toBe(true);
  });
});

describe('hostile key files', () => {
  it('a damaged PKCS#12, DER or PEM gives keys or a ServerKeyError naming the file, never another error', () => {
    const seeds = ['server-rsa.p12', 'server-rsa-legacy.p12', 'server-rsa.key.pem', 'server-rsa.enc.key.pem'].map((f) => readFileSync(join(dir, f)));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), fc.nat(), (seed, edits, cut) => {
        const bytes = Uint8Array.from(seeds[seed]!);
        for (const [at, value] of edits) bytes[at % bytes.length] = value;
        const damaged = bytes.subarray(0, bytes.length - (cut % 64));
        try {
          const keys = loadServerKeys(damaged, 'damaged.p12', 'tlsdiag-p12');
          expect(keys.length).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(ServerKeyError);
          expect((error as Error).message.startsWith('damaged.p12: ')).toBe(true);
        }
      }),
      { seed: 1407, numRuns: 300 },
    );
  });
});

describe('RSA premaster decryption (PKCS#1 v1.5 without RSA_PKCS1_PADDING)', () => {
  const key = createPrivateKey(readFileSync(join(dir, 'server-rsa.key.pem')));
  const secret = Uint8Array.from({ length: 48 }, (_, i) => (i * 7 + 3) & 0xff);

  it('gives back what publicEncrypt encrypted', () => {
    const encrypted = publicEncrypt({ key: createPublicKey(key), padding: constants.RSA_PKCS1_PADDING }, secret);
    expect(Buffer.from(decryptPremaster(key, encrypted))).toEqual(Buffer.from(secret));
  });

  it('gives a random premaster, never an error, for a wrong length, bad padding or a ciphertext above the modulus', () => {
    const wrongLength = publicEncrypt({ key: createPublicKey(key), padding: constants.RSA_PKCS1_PADDING }, secret.subarray(0, 47));
    const oaep = publicEncrypt({ key: createPublicKey(key), padding: constants.RSA_PKCS1_OAEP_PADDING }, secret);
    for (const bad of [wrongLength, oaep, new Uint8Array(256).fill(0xff), new Uint8Array(300), new Uint8Array(0)]) {
      const a = decryptPremaster(key, bad);
      const b = decryptPremaster(key, bad);
      expect(a).toHaveLength(48);
      expect(Buffer.from(a)).not.toEqual(Buffer.from(b));
      expect(Buffer.from(a)).not.toEqual(Buffer.from(secret));
    }
  });
});
