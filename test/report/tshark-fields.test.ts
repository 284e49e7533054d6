import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { requireTools } from '../tools.js';
import { REPO_ROOT as root } from '../repo.js';

/**
 * The per-connection facts added for issue 14 against what tshark and openssl say of the same bytes:
 * clientRandom (tls.handshake.random), sessionId (tls.handshake.session_id), ja3_r / ja3s_r
 * (tls.handshake.ja3_full / ja3s_full), clientLegacyVersion (tls.handshake.version), and every certificate's
 * sha1 (`openssl x509 -fingerprint -sha1` of the DER tshark extracts).
 */
const hasTshark = requireTools(['tshark', 'openssl'], 'the issue 14 JSON fields against tshark and openssl');
if (!hasTshark) console.warn('tshark field tests skipped: install tshark (Debian: apt-get install tshark)');

const pick = (folder: string, names: RegExp): string[] =>
  readdirSync(join(root, folder))
    .filter((f) => f.endsWith('.pcap') && names.test(f))
    .sort()
    .map((f) => join(root, folder, f));
const captures = [...pick('captures/keys', /./), ...pick('captures/mtls', /tls13-valid|tls12-valid|expired/)];

interface Row {
  port: number;
  type: string;
  random: string;
  sessionId: string;
  ja3: string;
  ja3s: string;
  version: string;
  certificates: string;
}

function tsharkRows(capture: string): Row[] {
  const out = execFileSync(
    'tshark',
    ['-r', capture, '-Y', 'tls.handshake.type == 1 || tls.handshake.type == 2 || tls.handshake.type == 11', '-T', 'fields', '-E', 'separator=|',
      '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'tls.handshake.type', '-e', 'tls.handshake.random', '-e', 'tls.handshake.session_id',
      '-e', 'tls.handshake.ja3_full', '-e', 'tls.handshake.ja3s_full', '-e', 'tls.handshake.version', '-e', 'tls.handshake.certificate'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const [src, dst, type, random, sessionId, ja3, ja3s, version, certificates] = line.split('|') as string[];
      // The client's port names the connection: the source of a ClientHello, the destination of the rest.
      return { port: Number(type!.split(',')[0] === '1' ? src : dst), type: type!, random: random!, sessionId: sessionId!, ja3: ja3!, ja3s: ja3s!, version: version!, certificates: certificates! };
    });
}

function sha1Of(derHex: string): string {
  const out = execFileSync('openssl', ['x509', '-inform', 'DER', '-noout', '-fingerprint', '-sha1'], { input: Buffer.from(derHex, 'hex'), encoding: 'utf8' });
  return out.trim().replace(/^.*=/, '').replace(/:/g, '').toLowerCase();
}

describe.runIf(hasTshark)('issue 14 JSON fields against tshark and openssl', () => {
  it('has captures', () => {
    expect(captures.length).toBeGreaterThanOrEqual(10);
  });
  for (const capture of captures) {
    it(capture.slice(root.length + 1), async () => {
      const result = await analyze(capture);
      const rows = tsharkRows(capture);
      expect(result.connections.length).toBeGreaterThan(0);
      for (const c of result.connections) {
        const mine = rows.filter((r) => r.port === c.client.port);
        const hello = mine.find((r) => r.type.split(',')[0] === '1')!;
        const serverHello = mine.find((r) => r.type.split(',')[0] === '2');
        expect(c.clientRandom).toBe(hello.random.split(',')[0]);
        expect(c.ja3_r).toBe(hello.ja3);
        expect(c.clientLegacyVersion).toBe({ '0x0300': 'SSL 3.0', '0x0301': 'TLS 1.0', '0x0302': 'TLS 1.1', '0x0303': 'TLS 1.2' }[hello.version.split(',')[0]!]);
        if (serverHello) {
          expect(c.sessionId).toBe(serverHello.sessionId.split(',')[0] || null);
          expect(c.ja3s_r).toBe(serverHello.ja3s);
        }
        // Certificates tshark could read (the plaintext ones of TLS 1.2; TLS 1.3's are encrypted without keys).
        const certificateRows = mine.filter((r) => r.type.split(',').includes('11') && r.certificates !== '');
        const tsharkSha1 = certificateRows.flatMap((r) => r.certificates.split(',')).map(sha1Of);
        const reported = [...(c.serverCertificates ?? []), ...(c.clientCertificates ?? [])].map((cert) => cert.sha1);
        for (const sha1 of tsharkSha1) expect(reported).toContain(sha1);
        expect(reported.every((s) => /^[0-9a-f]{40}$/.test(s))).toBe(true);
      }
    });
  }
});
