import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import type { ConnectionReport } from '../../src/model/types.js';
import { renderText } from '../../src/report/text.js';
import { analyzeOptionsFor } from '../repo.js';
import { tempDir } from '../temp-dir.js';

// Real peers on loopback, recorded by captures/scripts/verdicts.sh into captures/verdicts/ (captures/README.md).

const DIR = 'captures/verdicts';

async function connectionsOf(name: string, file = `${DIR}/${name}.pcap`): Promise<ConnectionReport[]> {
  return (await analyze(file, analyzeOptionsFor(`${DIR}/${name}.pcap`))).connections;
}

async function onlyConnection(name: string): Promise<ConnectionReport> {
  const connections = await connectionsOf(name);
  expect(connections).toHaveLength(1);
  return connections[0]!;
}

/**
 * Findings as "severity id", without the context that every healthy connection to a private CA carries: the
 * servers here use a test root that is in no public store (server-cert-untrusted, info).
 */
const findingsOf = (c: ConnectionReport) =>
  c.findings.filter((f) => !(f.id === 'server-cert-untrusted' && f.severity === 'info')).map((f) => `${f.severity} ${f.id}`);

describe('TLS sent to a plaintext port: server-answered-plaintext', () => {
  it('openssl s_client to nginx `listen` (HTTP): nginx answers "HTTP/1.1 400 Bad Request", one error, no parse noise', async () => {
    const c = await onlyConnection('tls-to-nginx-http-port-s-client');
    expect(c.nonTls).toEqual({ side: 'server', frame: 6, firstLine: 'HTTP/1.1 400 Bad Request' });
    expect(c.outcome).toBe('not-tls');
    expect(findingsOf(c)).toEqual(['error server-answered-plaintext']);
    expect(c.version).toBeNull();
    expect(c.cipherSuite).toBeNull();
    expect(c.established).toBe(false);
    expect(c.alerts).toEqual([]);
    // The server's bytes are not parsed as records: no "48 54 54 50 2f" garbage, no parse error.
    expect(c.timeline.map((e) => `${e.from} ${e.kind}`)).toEqual(['client ClientHello', 'server FIN', 'client FIN']);
    const finding = c.findings[0]!;
    expect(finding.explanation).toContain('"HTTP/1.1 400 Bad Request"');
    expect(finding.explanation).toContain('frame 4');
    expect(finding.evidence.frames).toEqual([4, 6]);
    expect(finding.remedy).toContain('proxy_pass');
  });

  it('curl https:// to nginx `listen` (HTTP): the same, curl resets', async () => {
    const c = await onlyConnection('tls-to-nginx-http-port-curl');
    expect(c.nonTls).toEqual({ side: 'server', frame: 6, firstLine: 'HTTP/1.1 400 Bad Request' });
    expect(c.outcome).toBe('not-tls');
    expect(findingsOf(c)).toEqual(['error server-answered-plaintext']);
    expect(c.sni).toBe('localhost');
    expect(c.version).toBeNull();
  });

  it('curl https:// to python3 -m http.server: an HTML error page without a status line is still HTTP', async () => {
    const c = await onlyConnection('tls-to-python-http-server');
    expect(c.nonTls).toEqual({ side: 'server', frame: 6, firstLine: '<!DOCTYPE HTML>' });
    expect(c.outcome).toBe('not-tls');
    expect(findingsOf(c)).toEqual(['error server-answered-plaintext']);
    expect(c.findings[0]!.evidence.fields).toEqual({ server_first_line: '<!DOCTYPE HTML>', protocol: 'http', server_spoke_first: false });
    expect(c.findings[0]!.explanation).toContain('this port serves http://, not https://');
  });
});

describe('TLS sent to MariaDB, whose server greets first and has no implicit-TLS port', () => {
  it('s_client without -starttls: MariaDB\'s greeting answers the ClientHello; its version is the line kept', async () => {
    const c = await onlyConnection('tls-to-mariadb-port');
    expect(c.nonTls).toMatchObject({ side: 'server', firstLine: expect.stringMatching(/^\d+\.\d+\.\d+-.*MariaDB/) });
    expect(c.upgradedFrom).toBeNull();
    expect(c.outcome).toBe('not-tls');
    expect(findingsOf(c)).toEqual(['error server-answered-plaintext']);
    expect(c.findings[0]!.evidence.fields).toMatchObject({ protocol: 'mysql' });
    expect(c.findings[0]!.explanation).toContain('MySQL/MariaDB server greeting');
    expect(c.findings[0]!.remedy).toContain('--ssl');
  });

  it('a Node client starting TLS after the greeting: the server spoke first, the ClientHello is still read', async () => {
    const c = await onlyConnection('tls-to-mariadb-port-after-greeting');
    expect(c.nonTls).toMatchObject({ side: 'server', frame: 4, firstLine: expect.stringContaining('MariaDB') });
    expect(c.upgradedFrom).toBeNull();
    expect(c.timeline[0]).toMatchObject({ frame: 6, from: 'client', kind: 'ClientHello' });
    expect(c.outcome).toBe('not-tls');
    expect(findingsOf(c)).toEqual(['error server-answered-plaintext']);
    expect(c.findings[0]!.evidence).toEqual({
      frames: [4, 6],
      fields: { server_first_line: c.nonTls!.firstLine, protocol: 'mysql', server_spoke_first: true },
    });
    expect(c.findings[0]!.explanation).toContain('The server spoke first');
  });
});

describe('plain HTTP sent to a TLS port: client-sent-plaintext', () => {
  it('curl http:// to nginx `listen … ssl`: nginx\'s "plain HTTP request was sent to HTTPS port" page is the evidence', async () => {
    const c = await onlyConnection('http-to-nginx-https-port');
    expect(c.nonTls).toEqual({ side: 'client', frame: 4, firstLine: 'GET / HTTP/1.1' });
    expect(c.outcome).toBe('not-tls');
    expect(findingsOf(c)).toEqual(['error client-sent-plaintext']);
    expect(c.client.port).not.toBe(27004);
    expect(c.server.port).toBe(27004);
    expect(c.version).toBeNull();
    expect(c.findings[0]!.evidence).toEqual({
      frames: [4, 6],
      fields: { client_first_line: 'GET / HTTP/1.1', server_reaction: 'https-port-page', server_first_line: 'HTTP/1.1 400 Bad Request', server_alert: null },
    });
    expect(c.findings[0]!.remedy).toContain('https://');
    const text = renderText({ schemaVersion: 1, files: [], warnings: [], connections: [c] }, { all: true, color: false });
    expect(text).toContain('NOT TLS');
    expect(text).toContain('not TLS the client sent "GET / HTTP/1.1" (frame 4)');
  });

  it('curl http:// to a Java (JSSE) server socket: it answers with a TLS alert record (fatal unexpected_message)', async () => {
    const c = await onlyConnection('http-to-java-tls-server');
    expect(c.nonTls).toEqual({ side: 'client', frame: 4, firstLine: 'GET / HTTP/1.1' });
    expect(c.outcome).toBe('not-tls');
    expect(findingsOf(c)).toEqual(['error client-sent-plaintext']);
    expect(c.findings[0]!.evidence.fields).toMatchObject({ server_reaction: 'tls-alert', server_alert: 10 });
    expect(c.findings[0]!.explanation).toContain('unexpected_message, 10');
  });

  it('curl http:// to openssl s_server -WWW on port 27005: a silent close on no TLS port is not enough to report', async () => {
    expect(await connectionsOf('http-to-s-server-www')).toEqual([]);
  });

  it('the same recording with its server port rewritten to 8443 (a TLS port): reported, the close is the reaction', async () => {
    // The capture is real; only the server port of every packet is rewritten (this helper may not listen on 8443).
    const file = join(tempDir('tlsdiag-verdicts-'), 'http-to-s-server-www-8443.pcap');
    writeFileSync(file, withServerPort(readFileSync(`${DIR}/http-to-s-server-www.pcap`), 27005, 8443));
    const connections = (await analyze(file)).connections;
    expect(connections).toHaveLength(1);
    const c = connections[0]!;
    expect(c.server.port).toBe(8443);
    expect(c.nonTls).toEqual({ side: 'client', frame: 4, firstLine: 'GET / HTTP/1.1' });
    expect(c.outcome).toBe('not-tls');
    expect(findingsOf(c)).toEqual(['error client-sent-plaintext']);
    expect(c.findings[0]!.evidence).toEqual({
      frames: [4, 6],
      fields: { client_first_line: 'GET / HTTP/1.1', server_reaction: 'tls-port-closed', server_first_line: null, server_alert: null },
    });
    expect(c.findings[0]!.explanation).toContain('without sending a byte (frame 6) on port 8443');
  });

  it('the control: plain HTTP to a plain HTTP port is no TLS connection and is not reported', async () => {
    expect(await connectionsOf('http-to-nginx-http-port')).toEqual([]);
  });
});

describe('healthy and cut handshakes are not plaintext', () => {
  it('TLS 1.3 without a key log: established, encrypted, no error', async () => {
    const c = await onlyConnection('tls13-success-no-keylog');
    expect(c.nonTls).toBeNull();
    expect(c.version).toBe('TLS 1.3');
    expect(c.cipherSuite).toMatch(/^TLS_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)$/);
    expect(c.established).toBe(true);
    expect(c.decrypted).toBe(false);
    expect(c.outcome).toBe('established');
    expect(findingsOf(c)).toEqual(['info tls13-encrypted-handshake']);
  });

  it('cut by editcap -r after the ServerHello flight: the TLS 1.2 parameters are read, nothing more', async () => {
    const c = await onlyConnection('cut-after-server-hello');
    expect(c.nonTls).toBeNull();
    expect(c.version).toBe('TLS 1.2');
    expect(c.cipherSuite).toBe('TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384');
    expect(c.established).toBe(false);
    expect(c.history).toBe('Csxkn');
    expect(c.closedBy).toBeNull();
    expect(c.outcome).toBe('incomplete');
    expect(findingsOf(c)).toEqual(['info capture-ended-mid-handshake']);
  });

  it('cut by head -c inside the ServerHello frame: a ClientHello only, the file warned about, no plaintext verdict', async () => {
    const result = await analyze(`${DIR}/cut-head-c.pcap`);
    expect(result.connections).toHaveLength(1);
    const c = result.connections[0]!;
    expect(c.nonTls).toBeNull();
    expect(c.version).toBeNull();
    expect(c.history).toBe('C');
    expect(c.outcome).toBe('incomplete');
    expect(findingsOf(c)).toEqual(['info capture-ended-mid-handshake']);
    expect(result.files[0]!.error ?? result.warnings.map((w) => w.message).join(' ')).toMatch(/ends|truncat|cut/i);
  });
});

describe('weak cipher suites OpenSSL 3.0 still negotiates at @SECLEVEL=0 (s_server -www + s_client)', () => {
  const cases: Array<[string, string]> = [
    ['weak-null-sha256', 'TLS_RSA_WITH_NULL_SHA256'],
    ['weak-null-md5', 'TLS_RSA_WITH_NULL_MD5'],
    ['weak-adh-aes128-sha', 'TLS_DH_anon_WITH_AES_128_CBC_SHA'],
    ['weak-aecdh-null-sha', 'TLS_ECDH_anon_WITH_NULL_SHA'],
  ];
  for (const [name, suite] of cases) {
    it(`${name}: ${suite}, established, data both ways, no error`, async () => {
      const c = await onlyConnection(name);
      expect(c.version).toBe('TLS 1.2');
      expect(c.cipherSuite).toBe(suite);
      expect(c.established).toBe(true);
      expect(c.nonTls).toBeNull();
      expect(c.applicationBytes.client).toBeGreaterThan(0);
      expect(c.applicationBytes.server).toBeGreaterThan(0);
      expect(c.outcome).toBe('established');
      expect(findingsOf(c)).toEqual(['warning weak-cipher-suite']);
      // Anonymous suites: the server sends no Certificate at all.
      expect(c.serverCertificates === null).toBe(suite.includes('_anon_'));
    });
  }
});

describe('a MariaDB login over TLS 1.2 without a client certificate', () => {
  it('the empty Certificate is accepted and the login goes on: info only', async () => {
    const c = await onlyConnection('mariadb-login-tls12-no-client-cert');
    expect(c.upgradedFrom).toBe('mysql');
    expect(c.version).toBe('TLS 1.2');
    expect(c.established).toBe(true);
    expect(c.clientCertificates).toEqual([]);
    expect(c.applicationBytes.client).toBeGreaterThan(100);
    expect(c.applicationBytes.server).toBeGreaterThan(100);
    expect(c.outcome).toBe('established');
    expect(findingsOf(c)).toEqual(['info client-cert-empty-accepted']);
  });
});

/** A classic pcap (Ethernet, IPv4) with every TCP port `from` replaced by `to`; checksums are not recomputed. */
function withServerPort(pcap: Buffer, from: number, to: number): Buffer {
  const out = Buffer.from(pcap);
  expect(out.readUInt32LE(0)).toBe(0xa1b2c3d4);
  for (let at = 24; at + 16 <= out.length; ) {
    const captured = out.readUInt32LE(at + 8);
    const frame = at + 16;
    expect(out.readUInt16BE(frame + 12)).toBe(0x0800);
    const ip = frame + 14;
    const tcp = ip + (out[ip]! & 0x0f) * 4;
    for (const offset of [0, 2]) if (out.readUInt16BE(tcp + offset) === from) out.writeUInt16BE(to, tcp + offset);
    at = frame + captured;
  }
  return out;
}
