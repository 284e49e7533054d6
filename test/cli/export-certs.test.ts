import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { safeName } from '../../src/report/export-certs.js';
import { tempDir } from '../temp-dir.js';
import { runCli } from './run.js';
import { requireTool } from '../tools.js';
import { REPO_ROOT as REPO } from '../repo.js';


interface Index {
  certificates: Array<{ file: string; sha256: string; sha1: string; subject: string; seen: Array<{ capture: string; connection: number; side: string; position: number }> }>;
}

const hasOpenssl = requireTool('openssl', 'the --export-certs check with openssl verify');
if (!hasOpenssl) console.warn('--export-certs verification skipped: install openssl');

const verify = (...args: string[]): string => execFileSync('openssl', ['verify', ...args], { encoding: 'utf8' }).trim();

describe('--export-certs', () => {
  it.runIf(hasOpenssl)('writes each distinct certificate once, as PEM that openssl verify accepts, with index.json of where it was seen', async () => {
    const dir = join(tempDir('tlsdiag-export-'), 'certs');
    const keys = join(REPO, 'captures/keys');
    const mtls = join(REPO, 'captures/mtls/nginx-tls12-valid-client-cert.pcap');
    const run = await runCli(join(keys, 'rsa-tls12-resumed-s-client.pcap'), join(keys, 'rsa-tls12-renegotiation-client-cert.pcap'), mtls,
      '--key', join(keys, 'server-rsa.key.pem'), '--export-certs', dir, '--json');
    expect(run.code, run.stderr).toBe(0);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as Index;
    const files = readdirSync(dir).filter((f) => f.endsWith('.pem')).sort();
    expect(files).toEqual(index.certificates.map((c) => c.file).sort());
    expect(new Set(index.certificates.map((c) => c.sha256)).size).toBe(files.length);
    for (const c of index.certificates) {
      expect(c.file).toMatch(/^[0-9a-f]{16}-[A-Za-z0-9._-]+\.pem$/);
      expect(c.file.startsWith(c.sha256.slice(0, 16))).toBe(true);
      // The PEM is the DER that was on the wire: openssl's fingerprint is the index's.
      const sha1 = execFileSync('openssl', ['x509', '-in', join(dir, c.file), '-noout', '-fingerprint', '-sha1'], { encoding: 'utf8' });
      expect(sha1.trim().replace(/^.*=/, '').replace(/:/g, '').toLowerCase()).toBe(c.sha1);
    }
    const byCn = (cn: string) => index.certificates.filter((c) => c.subject.split(',').includes(`CN=${cn}`));
    // captures/keys: the CA is in the server's chain; the leaf verifies against it.
    const keysCa = join(dir, byCn('tlsdiag Keys Test CA')[0]!.file);
    const keysLeaf = index.certificates.find((c) => c.subject.split(',').includes('CN=localhost') && c.seen.some((s) => s.capture.includes('captures/keys')))!;
    expect(verify('-CAfile', keysCa, join(dir, keysLeaf.file))).toMatch(/: OK$/);
    // Only full handshakes carry it (the resumed ones do not); the renegotiation's two handshakes are one connection.
    expect(keysLeaf.seen.map((s) => `${s.capture.split('/').pop()} ${s.side} ${s.position}`)).toEqual([
      'rsa-tls12-resumed-s-client.pcap server 0',
      'rsa-tls12-renegotiation-client-cert.pcap server 0',
    ]);
    // The client certificate sent only inside the encrypted renegotiation is exported (the private key opened it).
    const client = byCn('tlsdiag Keys Test Client')[0]!;
    expect(client.seen).toEqual([expect.objectContaining({ side: 'client', position: 0 })]);
    expect(verify('-CAfile', keysCa, join(dir, client.file))).toMatch(/: OK$/);
    // captures/mtls: nginx sends leaf + intermediate; the leaf verifies through the exported intermediate.
    const intermediate = byCn('tlsdiag Test Intermediate CA')[0]!;
    expect(intermediate.seen).toEqual([expect.objectContaining({ side: 'server', position: 1 })]);
    const mtlsLeaf = index.certificates.find((c) => c.subject.split(',').includes('CN=localhost') && c.seen.some((s) => s.capture.includes('captures/mtls')))!;
    expect(verify('-CAfile', join(REPO, 'captures/pki/root.pem'), '-untrusted', join(dir, intermediate.file), join(dir, mtlsLeaf.file))).toMatch(/: OK$/);
  });

  it('is refused with --redact, before anything is written', async () => {
    const dir = join(tempDir('tlsdiag-export-'), 'certs');
    const run = await runCli(join(REPO, 'captures/mtls/nginx-tls12-valid-client-cert.pcap'), '--export-certs', dir, '--redact');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--export-certs cannot be used with --redact');
    expect(existsSync(dir)).toBe(false);
  });

  it('makes safe file names of any CN', () => {
    expect(safeName('../../etc/passwd')).toBe('etc_passwd');
    expect(safeName('*.example.com')).toBe('example.com');
    expect(safeName('C:\\con\u0000<x>|"')).toBe('C_con_x');
    expect(safeName('')).toBe('no-cn');
    expect(safeName('Ünïcödé Name')).toBe('Unicode_Name');
    expect(safeName('a'.repeat(200))).toHaveLength(64);
  });
});
