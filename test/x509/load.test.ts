/** Trust material from disk: PEM bundles, DER, directories, OpenSSL TRUSTED CERTIFICATE, and keys left alone. */
import { mkdtempSync, rmSync, writeFileSync, copyFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TrustMaterialError, loadCertificates, loadCertificatesDetailed } from '../../src/x509/load.js';
import { cert, fixturePath, hasOpenssl, openssl } from './fixtures.js';

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

describe('loadCertificates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tlsdiag-load-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a PEM bundle in file order and a DER file', () => {
    const bundle = loadCertificates(fixturePath('chain-server.pem'));
    expect(bundle).toHaveLength(2);
    expect(same(bundle[0]!, cert('leaf-server.pem'))).toBe(true);
    expect(same(bundle[1]!, cert('intermediate.pem'))).toBe(true);
    expect(same(loadCertificates(fixturePath('root.der'))[0]!, cert('root.pem'))).toBe(true);
  });

  it('reads a directory (files sorted by name) and tells what it skipped', () => {
    const d = mkdtempSync(join(dir, 'cas-'));
    mkdtempSync(join(d, 'subdir-')); // not descended into
    copyFileSync(fixturePath('other-root.pem'), join(d, 'b.pem'));
    copyFileSync(fixturePath('root.der'), join(d, 'a.der'));
    writeFileSync(join(d, 'c.txt'), 'not a certificate');
    const r = loadCertificatesDetailed(d);
    expect(r.certificates).toHaveLength(2);
    expect(same(r.certificates[0]!, cert('root.pem'))).toBe(true);
    expect(same(r.certificates[1]!, cert('other-root.pem'))).toBe(true);
    expect(r.skipped).toEqual([`${join(d, 'c.txt')}: neither PEM nor DER`]);
  });

  it.runIf(hasOpenssl)('keeps only the certificate of an OpenSSL TRUSTED CERTIFICATE', () => {
    const trusted = openssl(['x509', '-in', fixturePath('root.pem'), '-addtrust', 'clientAuth', '-trustout']);
    expect(trusted).toContain('BEGIN TRUSTED CERTIFICATE');
    const file = join(dir, 'trusted.pem');
    writeFileSync(file, trusted);
    const found = loadCertificates(file);
    expect(found).toHaveLength(1);
    expect(same(found[0]!, cert('root.pem'))).toBe(true);
  });

  it.runIf(hasOpenssl)('skips a private key by its label only, never its content', () => {
    const keyFile = join(dir, 'key.pem');
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyFile]);
    const key = readFileSync(keyFile, 'latin1');
    const file = join(dir, 'cert-and-key.pem');
    writeFileSync(file, readFileSync(fixturePath('leaf-client.pem'), 'latin1') + key);
    const r = loadCertificatesDetailed(file);
    expect(r.certificates).toHaveLength(1);
    expect(r.skipped).toEqual(['PRIVATE KEY']);
    const body = key.split('\n')[1]!;
    expect(JSON.stringify(r)).not.toContain(body);
  });

  it('throws TrustMaterialError naming the path when it cannot be read', () => {
    const missing = join(dir, 'missing.pem');
    expect(() => loadCertificates(missing)).toThrow(TrustMaterialError);
    expect(() => loadCertificates(missing)).toThrow(`cannot read trust material ${missing}: ENOENT`);
  });
});
