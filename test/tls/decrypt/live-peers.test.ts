/**
 * Real TLS connections on 127.0.0.1 (Node's tls and openssl s_client/s_server), recorded by a TCP proxy and
 * decrypted record by record with the key log the peers wrote.
 */
import { constants } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKeyProvider, parseKeyLog } from '../../../src/tls/decrypt/index.js';
import { makeCredentials, nodeSession, opensslClientSession, opensslEarlyDataSession, opensslServerSession, type Credentials, type Session } from './peers.js';
import { requireTool } from '../../tools.js';
import { decryptTranscript, splitRecords, type SideResult, type TranscriptResult } from './transcript.js';
import { repoPath } from '../../repo.js';

const HS = { encryptedExtensions: 8, certificateRequest: 13, certificate: 11, certificateVerify: 15, finished: 20, newSessionTicket: 4, keyUpdate: 24 };

/** Certificates and half the peers come from the openssl binary; without it only fixtures.test.ts runs. */
const HAS_OPENSSL = requireTool('openssl', 'the live openssl and Node peers');

let credentials: Credentials;
beforeAll(() => {
  if (HAS_OPENSSL) credentials = makeCredentials();
});

/** Messages of a size that needs more than one record, so sequence numbers past 0 are exercised. */
function message(label: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  const text = Buffer.from(`${label} `);
  for (let i = 0; i < size; i++) out[i] = text[i % text.length]!;
  return out;
}

function decrypt(session: Session): TranscriptResult {
  const { keyLog, warnings } = parseKeyLog(session.keyLog);
  expect(warnings).toEqual([]);
  return decryptTranscript(session.client, session.server, createKeyProvider(keyLog));
}

function expectAllAuthenticated(side: SideResult): void {
  expect(side.failures).toEqual([]);
  expect(side.encryptedCount).toBeGreaterThan(0);
  expect(side.decrypted.length).toBe(side.encryptedCount);
}

/** Leading handshake messages as expected; anything after them is a NewSessionTicket or KeyUpdate. */
function expectHandshake(side: SideResult, leading: number[]): void {
  expect(side.handshakeTypes.slice(0, leading.length)).toEqual(leading);
  for (const type of side.handshakeTypes.slice(leading.length)) expect([HS.newSessionTicket, HS.keyUpdate]).toContain(type);
}

function wrongKeyLog(text: string): string {
  // Same lines, every secret's first byte changed: the right client random, the wrong keys.
  return text.replace(/^(\S+ [0-9a-fA-F]{64} )([0-9a-fA-F]{2})/gm, (_, head: string, byte: string) => head + ((parseInt(byte, 16) ^ 0x5a).toString(16).padStart(2, '0')));
}

function expectWrongKeysFail(session: Session): void {
  const wrong = parseKeyLog(wrongKeyLog(session.keyLog));
  expect(wrong.keyLog.size).toBe(1);
  const result = decryptTranscript(session.client, session.server, createKeyProvider(wrong.keyLog));
  for (const side of [result.client, result.server]) {
    expect(side.decrypted).toEqual([]);
    expect(side.failures.length).toBeGreaterThan(0);
    expect(side.failures[0]!.reason).toBe('bad-record-mac');
    // A failed record leaves the decryptor where it was, so every later one fails too, each without a throw.
    for (const failure of side.failures) expect(['bad-record-mac', 'no-decryptor']).toContain(failure.reason);
  }
}

const tls13Cases = [
  { suite: 'TLS_AES_128_GCM_SHA256', value: 0x1301, clientCertificate: true },
  { suite: 'TLS_AES_256_GCM_SHA384', value: 0x1302, clientCertificate: false },
  { suite: 'TLS_CHACHA20_POLY1305_SHA256', value: 0x1303, clientCertificate: true },
  { suite: 'TLS_AES_128_CCM_SHA256', value: 0x1304, clientCertificate: false },
  { suite: 'TLS_AES_128_CCM_8_SHA256', value: 0x1305, clientCertificate: true },
];

describe.runIf(HAS_OPENSSL)('TLS 1.3 between Node peers', () => {
  for (const c of tls13Cases) {
    it(`${c.suite}${c.clientCertificate ? ' with a client certificate' : ''}`, async () => {
      const clientMessage = message(`client ${c.suite}`, 40_000);
      const serverMessage = message(`server ${c.suite}`, 20_000);
      const session = await nodeSession({
        credentials,
        ciphers: c.suite,
        minVersion: 'TLSv1.3',
        clientCertificate: c.clientCertificate,
        clientMessage,
        serverMessage,
      });
      expect(session.receivedByServer.equals(clientMessage)).toBe(true);
      expect(session.receivedByClient.equals(serverMessage)).toBe(true);
      const result = decrypt(session);
      expect(result.facts.version).toBe(0x0304);
      expect(result.facts.cipherSuite).toBe(c.value);
      expectAllAuthenticated(result.client);
      expectAllAuthenticated(result.server);
      expectHandshake(result.server, [
        HS.encryptedExtensions,
        ...(c.clientCertificate ? [HS.certificateRequest] : []),
        HS.certificate,
        HS.certificateVerify,
        HS.finished,
      ]);
      expectHandshake(result.client, c.clientCertificate ? [HS.certificate, HS.certificateVerify, HS.finished] : [HS.finished]);
      expect(result.client.applicationData.equals(clientMessage)).toBe(true);
      expect(result.server.applicationData.equals(serverMessage)).toBe(true);
      expectWrongKeysFail(session);
    });
  }
});

const tls12Cases = [
  { name: 'ECDHE-RSA-AES128-GCM-SHA256', value: 0xc02f, version: 'TLSv1.2', etm: null, clientCertificate: true },
  { name: 'ECDHE-RSA-AES256-GCM-SHA384', value: 0xc030, version: 'TLSv1.2', etm: null, clientCertificate: false },
  { name: 'ECDHE-RSA-CHACHA20-POLY1305', value: 0xcca8, version: 'TLSv1.2', etm: null, clientCertificate: false },
  { name: 'AES128-CCM', value: 0xc09c, version: 'TLSv1.2', etm: null, clientCertificate: false },
  { name: 'AES256-CCM8', value: 0xc0a1, version: 'TLSv1.2', etm: null, clientCertificate: false },
  { name: 'ECDHE-RSA-AES128-SHA256', value: 0xc027, version: 'TLSv1.2', etm: true, clientCertificate: true },
  { name: 'ECDHE-RSA-AES128-SHA256', value: 0xc027, version: 'TLSv1.2', etm: false, clientCertificate: false },
  { name: 'ECDHE-RSA-AES256-SHA384', value: 0xc028, version: 'TLSv1.2', etm: false, clientCertificate: false },
  { name: 'AES256-SHA', value: 0x0035, version: 'TLSv1.2', etm: true, clientCertificate: false },
  { name: 'ECDHE-RSA-AES128-SHA', value: 0xc013, version: 'TLSv1.1', etm: true, clientCertificate: false },
  { name: 'ECDHE-RSA-AES256-SHA', value: 0xc014, version: 'TLSv1', etm: false, clientCertificate: true },
  { name: 'ECDHE-RSA-AES128-SHA', value: 0xc013, version: 'TLSv1', etm: true, clientCertificate: false },
] as const;

const VERSION_VALUE = { TLSv1: 0x0301, 'TLSv1.1': 0x0302, 'TLSv1.2': 0x0303 } as const;

describe.runIf(HAS_OPENSSL)('TLS 1.2 and older between Node peers', () => {
  for (const c of tls12Cases) {
    const etm = c.etm === null ? '' : c.etm ? ', encrypt-then-MAC' : ', MAC-then-encrypt';
    it(`${c.version} ${c.name}${etm}${c.clientCertificate ? ', client certificate' : ''}`, async () => {
      const clientMessage = message(`client ${c.name}`, 33_333);
      const serverMessage = message(`server ${c.name}`, 17_001);
      const session = await nodeSession({
        credentials,
        // SECLEVEL=0 lets OpenSSL 3 speak TLS 1.0/1.1 (SHA-1 signatures).
        ciphers: `${c.name}@SECLEVEL=0`,
        minVersion: c.version,
        maxVersion: c.version,
        clientCertificate: c.clientCertificate,
        clientSecureOptions: c.etm === false ? constants.SSL_OP_NO_ENCRYPT_THEN_MAC : undefined,
        clientMessage,
        serverMessage,
      });
      expect(session.receivedByServer.equals(clientMessage)).toBe(true);
      const result = decrypt(session);
      expect(result.facts.version).toBe(VERSION_VALUE[c.version]);
      expect(result.facts.cipherSuite).toBe(c.value);
      if (c.etm !== null) expect(result.facts.encryptThenMac).toBe(c.etm);
      expectAllAuthenticated(result.client);
      expectAllAuthenticated(result.server);
      expect(result.client.handshakeTypes).toEqual([HS.finished]);
      expect(result.server.handshakeTypes).toEqual([HS.finished]);
      expect(result.client.applicationData.equals(clientMessage)).toBe(true);
      expect(result.server.applicationData.equals(serverMessage)).toBe(true);
      expectWrongKeysFail(session);
    });
  }
});

describe.runIf(HAS_OPENSSL)('openssl peers writing -keylogfile', () => {
  it('s_client, TLS 1.3 AES-256-GCM with a client certificate and two KeyUpdates', async () => {
    const clientMessages = [message('before update', 3000), message('after one update', 3000), message('after two updates', 3000)].map((m) =>
      Buffer.concat([m, Buffer.from('\n')]),
    );
    const serverMessage = message('server reply', 5000);
    const session = await opensslClientSession({
      credentials,
      args: ['-tls1_3', '-ciphersuites', 'TLS_AES_256_GCM_SHA384', '-cert', credentials.clientCert, '-key', credentials.clientKey],
      serverCiphers: 'TLS_AES_256_GCM_SHA384',
      requestClientCertificate: true,
      clientMessages,
      keyUpdateBetween: true,
      serverMessage,
    });
    expect(session.receivedByServer.equals(Buffer.concat(clientMessages))).toBe(true);
    const result = decrypt(session);
    expect(result.facts.cipherSuite).toBe(0x1302);
    expectAllAuthenticated(result.client);
    expectAllAuthenticated(result.server);
    expect(result.client.keyUpdates).toBe(2);
    expectHandshake(result.client, [HS.certificate, HS.certificateVerify, HS.finished, HS.keyUpdate, HS.keyUpdate]);
    expectHandshake(result.server, [HS.encryptedExtensions, HS.certificateRequest, HS.certificate, HS.certificateVerify, HS.finished]);
    expect(result.client.applicationData.equals(Buffer.concat(clientMessages))).toBe(true);
    expect(result.server.applicationData.equals(serverMessage)).toBe(true);
    expectWrongKeysFail(session);
  });

  it('s_client, TLS 1.2 ECDHE-RSA-AES128-SHA256 with -no_etm', async () => {
    const clientMessages = [Buffer.from(`${message('cbc without etm', 5000).toString()}\n`)];
    const serverMessage = message('server cbc', 4000);
    const session = await opensslClientSession({
      credentials,
      args: ['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-SHA256', '-no_etm'],
      serverCiphers: 'ECDHE-RSA-AES128-SHA256',
      clientMessages,
      serverMessage,
    });
    const result = decrypt(session);
    expect(result.facts.encryptThenMac).toBe(false);
    expectAllAuthenticated(result.client);
    expectAllAuthenticated(result.server);
    expect(result.client.applicationData.equals(clientMessages[0]!)).toBe(true);
    expect(result.server.applicationData.equals(serverMessage)).toBe(true);
    expectWrongKeysFail(session);
  });

  it('s_server, TLS 1.3 ChaCha20 asking for a client certificate, records padded to 256-byte blocks', async () => {
    const clientMessage = message('to s_server', 6000);
    const serverMessage = message('from s_server', 7000);
    const session = await opensslServerSession({
      credentials,
      // -record_padding: the server pads every record's inner plaintext with zeros (RFC 8446 §5.4).
      args: ['-tls1_3', '-ciphersuites', 'TLS_CHACHA20_POLY1305_SHA256', '-verify', '1', '-record_padding', '256'],
      clientCiphers: 'TLS_CHACHA20_POLY1305_SHA256',
      clientCertificate: true,
      clientMessage,
      serverMessage,
    });
    const result = decrypt(session);
    expect(result.facts.cipherSuite).toBe(0x1303);
    expectAllAuthenticated(result.client);
    expectAllAuthenticated(result.server);
    expectHandshake(result.server, [HS.encryptedExtensions, HS.certificateRequest, HS.certificate, HS.certificateVerify, HS.finished]);
    expectHandshake(result.client, [HS.certificate, HS.certificateVerify, HS.finished]);
    expect(result.client.applicationData.equals(clientMessage)).toBe(true);
    expect(result.server.applicationData.equals(serverMessage)).toBe(true);
    // The padding was there on the wire: every server record's ciphertext (less the tag) is a multiple of 256.
    const serverEncrypted = splitRecords(session.server).records.filter((r) => r.type === 23);
    for (const r of serverEncrypted) expect((r.fragment.length - 16) % 256).toBe(0);
    expectWrongKeysFail(session);
  });

  it('s_client resuming with 0-RTT early data (CLIENT_EARLY_TRAFFIC_SECRET)', async () => {
    const earlyData = Buffer.from('GET /early HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const lateData = Buffer.from('after the handshake\n');
    const session = await opensslEarlyDataSession({ credentials, earlyData, lateData });
    // s_server prints what it accepted: the 0-RTT data must have been taken as early data, not replayed later.
    expect(session.receivedByServer.includes(earlyData)).toBe(true);
    const { keyLog, warnings } = parseKeyLog(session.keyLog);
    expect(warnings).toEqual([]);
    expect(session.keyLog).toMatch(/^CLIENT_EARLY_TRAFFIC_SECRET /m);
    const result = decryptTranscript(session.client, session.server, createKeyProvider(keyLog), { earlyData: true });
    expectAllAuthenticated(result.client);
    expectAllAuthenticated(result.server);
    expect(result.client.decrypted[0]).toMatchObject({ type: 23 });
    expect(Buffer.from(result.client.decrypted[0]!.content).equals(earlyData)).toBe(true);
    expectHandshake(result.client, [5, HS.finished]);
    // A resumed handshake: no certificate messages.
    expectHandshake(result.server, [HS.encryptedExtensions, HS.finished]);
    expect(result.client.applicationData.equals(Buffer.concat([earlyData, lateData]))).toBe(true);
  });

  it('s_server, TLS 1.2 ECDHE-RSA-AES256-GCM-SHA384', async () => {
    const clientMessage = message('gcm to s_server', 3000);
    const serverMessage = message('gcm from s_server', 2000);
    const session = await opensslServerSession({
      credentials,
      args: ['-tls1_2', '-cipher', 'ECDHE-RSA-AES256-GCM-SHA384'],
      clientCiphers: 'ECDHE-RSA-AES256-GCM-SHA384',
      clientMessage,
      serverMessage,
    });
    const result = decrypt(session);
    expect(result.facts.cipherSuite).toBe(0xc030);
    expectAllAuthenticated(result.client);
    expectAllAuthenticated(result.server);
    expect(result.client.applicationData.equals(clientMessage)).toBe(true);
    expect(result.server.applicationData.equals(serverMessage)).toBe(true);
  });
});

/**
 * Re-records the committed fixtures (test/fixtures/decrypt/): WRITE_DECRYPT_FIXTURES=1 npx vitest run
 * test/tls/decrypt/live-peers.test.ts. Small messages keep the files small.
 */
describe.runIf(HAS_OPENSSL && process.env.WRITE_DECRYPT_FIXTURES === '1')('fixture recording', () => {
  const dir = repoPath('test', 'fixtures', 'decrypt');
  const write = (name: string, session: Session, expected: object): void => {
    expect(splitRecords(session.client).rest.length).toBe(0);
    writeFileSync(
      join(dir, `${name}.json`),
      `${JSON.stringify({ client: session.client.toString('base64'), server: session.server.toString('base64'), keyLog: session.keyLog, expected }, null, 1)}\n`,
    );
  };
  it('records', async () => {
    const m = (s: string): Buffer => Buffer.from(s);
    const tls13 = await nodeSession({
      credentials,
      ciphers: 'TLS_AES_128_GCM_SHA256',
      minVersion: 'TLSv1.3',
      clientCertificate: true,
      clientMessage: m('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'),
      serverMessage: m('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'),
    });
    write('tls13-aes128gcm-client-cert', tls13, {
      cipherSuite: 0x1301,
      clientApplicationData: 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n',
      serverApplicationData: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
      clientHandshake: [11, 15, 20],
      serverHandshake: [8, 13, 11, 15, 20],
    });
    const tls12 = await nodeSession({
      credentials,
      ciphers: 'ECDHE-RSA-AES128-SHA256',
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      clientMessage: m('ping over CBC with encrypt-then-MAC'),
      serverMessage: m('pong over CBC with encrypt-then-MAC'),
    });
    write('tls12-ecdhe-rsa-aes128-sha256-etm', tls12, {
      cipherSuite: 0xc027,
      clientApplicationData: 'ping over CBC with encrypt-then-MAC',
      serverApplicationData: 'pong over CBC with encrypt-then-MAC',
      clientHandshake: [20],
      serverHandshake: [20],
    });
  });
});
