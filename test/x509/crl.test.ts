import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRevocation, decodeCertificate, decodeCrl, isCertificateDecodeError, loadCertificates, loadCrls, normalizeSerial } from '../../src/x509/index.js';
import type { DecodedCertificate } from '../../src/x509/types.js';
import { tempDir } from '../temp-dir.js';

const DIR = 'captures/crl';

function pemToDer(pem: string): Uint8Array {
  const body = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(pem)![1]!;
  return new Uint8Array(Buffer.from(body.replace(/\s+/g, ''), 'base64'));
}

function cert(path: string): DecodedCertificate {
  const d = decodeCertificate(loadCertificates(path)[0]!);
  if (isCertificateDecodeError(d)) throw new Error(d.message);
  return d;
}

describe('CRL loading', () => {
  it('reads every CRL of a PEM file (nginx ssl_crl holds one per CA)', () => {
    const { crls } = loadCrls(`${DIR}/nginx-tls12-crl-good.crl.pem`);
    expect(crls.map((c) => c.issuerName.rfc4514)).toEqual(['CN=tlsdiag Test Root CA,O=tlsdiag', 'CN=tlsdiag Test Intermediate CA,O=tlsdiag']);
    expect(crls.every((c) => c.nextUpdate !== null && c.revokedCount === 0 && c.authorityKeyIdentifier !== null)).toBe(true);
  });

  it('reads DER files and directories, skipping files that hold no CRL', () => {
    const dir = tempDir('tlsdiag-crl-');
    writeFileSync(join(dir, 'root.r0'), pemToDer(readFileSync(`${DIR}/nginx-tls12-crl-revoked.crl.pem`, 'utf8')));
    writeFileSync(join(dir, 'README'), 'not a CRL\n');
    const { crls, skipped } = loadCrls(dir);
    expect(crls).toHaveLength(1);
    expect([...crls[0]!.revoked.values()]).toEqual([expect.objectContaining({ serialNumber: '1101', reason: 'keyCompromise' })]);
    expect(skipped).toEqual([`${join(dir, 'README')}: neither PEM nor DER`]);
  });

  it('says what is wrong with bytes that are not a CRL, and never crashes on truncation', () => {
    const der = pemToDer(readFileSync(`${DIR}/nginx-tls12-crl-revoked.crl.pem`, 'utf8'));
    for (let cut = 0; cut < der.length; cut += 7) expect(() => decodeCrl(der.subarray(0, cut), 'cut')).toThrow(/^cut: not a CRL/);
    expect(() => loadCrls(`${DIR}/ca/root.pem`)).toThrow(/no CRL in .*root\.pem \(.*: CERTIFICATE/);
    expect(() => loadCrls(`${DIR}/missing.pem`)).toThrow(/cannot read CRL/);
  });

  it('compares serials whatever their spelling', () => {
    expect(normalizeSerial('00:1A:2b')).toBe('1a2b');
    expect(normalizeSerial('0')).toBe('0');
  });
});

describe('checkRevocation (OpenSSL CRL_CHECK_ALL)', () => {
  const root = cert(`${DIR}/ca/root.pem`);
  const intermediate = cert(`${DIR}/ca/intermediate.pem`);

  it('every certificate of the path, the anchor included, needs a CRL from its issuer', async () => {
    const { crls } = loadCrls(`${DIR}/nginx-tls12-crl-root-only.crl.pem`);
    const results = await checkRevocation({ path: [intermediate, root], crls, time: crls[0]!.thisUpdate });
    expect(results.map((r) => [r.crlIssuer, r.problems, r.signatureChecked])).toEqual([
      ['CN=tlsdiag Test Root CA,O=tlsdiag', [], true],
      ['CN=tlsdiag Test Root CA,O=tlsdiag', [], true],
    ]);
    const onlyIntermediate = loadCrls(`${DIR}/nginx-tls12-crl-good.crl.pem`).crls.filter((c) => c.issuerName.rfc4514.includes('Intermediate'));
    const missing = await checkRevocation({ path: [intermediate, root], crls: onlyIntermediate, time: crls[0]!.thisUpdate });
    expect(missing.map((r) => r.problems)).toEqual([['crl-missing'], ['crl-missing']]);
  });

  it('judges the CRL time at the given instant: not yet valid, then valid, then expired', async () => {
    const { crls } = loadCrls(`${DIR}/nginx-tls12-crl-good.crl.pem`);
    const rootCrl = crls[0]!;
    const at = (t: number) => checkRevocation({ path: [root], crls: [rootCrl], time: new Date(t) }).then((r) => r[0]!.problems);
    expect(await at(rootCrl.thisUpdate.getTime() - 1000)).toEqual(['crl-not-yet-valid']);
    expect(await at(rootCrl.thisUpdate.getTime() + 1000)).toEqual([]);
    expect(await at(rootCrl.nextUpdate!.getTime() + 1000)).toEqual(['crl-expired']);
  });

  it('a CRL naming the root but signed by another key fails its signature check', async () => {
    const { crls } = loadCrls(`${DIR}/nginx-tls12-crl-signature-invalid.crl.pem`);
    const [r] = await checkRevocation({ path: [root], crls, time: new Date(crls[0]!.thisUpdate.getTime() + 1000) });
    expect(r!.problems).toEqual(['crl-signature-invalid']);
  });

  it('prefers a current CRL over an expired one of the same CA', async () => {
    const expired = loadCrls(`${DIR}/nginx-tls12-crl-expired.crl.pem`).crls;
    const current = loadCrls(`${DIR}/nginx-tls12-crl-good.crl.pem`).crls;
    const time = new Date(current[0]!.thisUpdate.getTime() + 1000);
    const [r] = await checkRevocation({ path: [root], crls: [...expired, ...current], time });
    expect(r!.problems).toEqual([]);
    expect(r!.crl).toBe(current[0]);
  });
});
