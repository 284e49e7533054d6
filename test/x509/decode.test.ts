import { describe, expect, it } from 'vitest';
import { CERTIFICATE_CACHE_LIMIT, certificateCacheSize, clearCertificateCache, decodeCertificate, isCertificateDecodeError } from '../../src/x509/decode.js';
import type { DecodedCertificate } from '../../src/x509/types.js';
import { cert, certificateFixtures, fixturePath, hasOpenssl, openssl } from './fixtures.js';

function decodeOk(name: string): DecodedCertificate {
  const d = decodeCertificate(cert(name));
  if (isCertificateDecodeError(d)) throw new Error(`${name}: ${d.message}`);
  return d;
}

/** The value lines under one extension header of `openssl x509 -text`, joined with ', '. */
function extensionText(text: string, header: string): string | null {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.trim().startsWith(`${header}:`));
  if (at < 0) return null;
  const indent = lines[at]!.search(/\S/);
  const values: string[] = [];
  for (let i = at + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.search(/\S/) <= indent) break;
    values.push(line.trim());
  }
  return values.filter((v) => v !== 'Full Name:').join(', ');
}

const KEY_USAGE_TEXT: Record<string, string> = {
  'Digital Signature': 'digitalSignature',
  'Non Repudiation': 'nonRepudiation',
  'Key Encipherment': 'keyEncipherment',
  'Data Encipherment': 'dataEncipherment',
  'Key Agreement': 'keyAgreement',
  'Certificate Sign': 'keyCertSign',
  'CRL Sign': 'cRLSign',
  'Encipher Only': 'encipherOnly',
  'Decipher Only': 'decipherOnly',
};
const EKU_TEXT: Record<string, string> = {
  'TLS Web Server Authentication': 'serverAuth',
  'TLS Web Client Authentication': 'clientAuth',
  'Code Signing': 'codeSigning',
  'E-mail Protection': 'emailProtection',
  'OCSP Signing': 'OCSPSigning',
  'Time Stamping': 'timeStamping',
};
const KEY_ALGORITHM_TEXT: Record<string, string> = { rsaEncryption: 'RSA', 'id-ecPublicKey': 'EC', ED25519: 'Ed25519' };
const CURVE_TEXT: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384' };

/** OpenSSL writes IPv6 SANs as 8 uncompressed groups. */
function expandIpv6(text: string): string {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === null ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.map((g) => parseInt(g, 16).toString(16)).join(':');
}

describe.runIf(hasOpenssl)('decodeCertificate against openssl x509 -text', () => {
  const names = certificateFixtures();

  it('has the fixtures the other tests rely on', () => {
    expect(names.length).toBeGreaterThanOrEqual(30);
  });

  for (const name of names) {
    it(name, () => {
      const d = decodeOk(name);
      const s = d.summary;
      const pem = fixturePath(name);
      const text = openssl(['x509', '-in', pem, '-noout', '-text']);
      const rfc = openssl(['x509', '-in', pem, '-noout', '-subject', '-issuer', '-nameopt', 'RFC2253,-esc_msb']).split('\n');
      expect(s.subject).toBe(rfc[0]!.replace(/^subject=/, ''));
      expect(s.issuer).toBe(rfc[1]!.replace(/^issuer=/, ''));

      const serial = openssl(['x509', '-in', pem, '-noout', '-serial']).trim().replace(/^serial=/, '');
      expect(s.serialNumber.toUpperCase()).toBe(serial.toUpperCase());
      const fp = openssl(['x509', '-in', pem, '-noout', '-fingerprint', '-sha256']).trim().split('=')[1]!;
      expect(s.sha256).toBe(fp.replace(/:/g, '').toLowerCase());
      const dates = openssl(['x509', '-in', pem, '-noout', '-startdate', '-enddate']).trim().split('\n');
      expect(s.notBefore).toBe(new Date(dates[0]!.split('=')[1]!).toISOString());
      expect(s.notAfter).toBe(new Date(dates[1]!.split('=')[1]!).toISOString());
      expect(d.notBefore.toISOString()).toBe(s.notBefore);

      expect(`Version: ${s.version}`).toBe(/Version: (\d+)/.exec(text)![0]);
      const sigAlg = /Signature Algorithm: (\S+)/.exec(text)![1]!;
      expect(s.signatureAlgorithm.toLowerCase()).toBe(sigAlg.toLowerCase());

      const keyAlg = /Public Key Algorithm: (\S+)/.exec(text)![1]!;
      expect(s.publicKey.algorithm).toBe(KEY_ALGORITHM_TEXT[keyAlg]);
      const bits = /Public-Key: \((\d+) bit\)/.exec(text);
      if (bits) expect(s.publicKey.size).toBe(Number(bits[1]));
      else expect(s.publicKey.algorithm).toBe('Ed25519');
      const curve = /ASN1 OID: (\S+)/.exec(text);
      expect(s.publicKey.curve).toBe(curve ? CURVE_TEXT[curve[1]!] : null);

      const bc = extensionText(text, 'X509v3 Basic Constraints');
      expect(s.basicConstraints === null ? null : `CA:${s.basicConstraints.ca ? 'TRUE' : 'FALSE'}${s.basicConstraints.pathLength !== null ? `, pathlen:${s.basicConstraints.pathLength}` : ''}`).toBe(bc);

      const ku = extensionText(text, 'X509v3 Key Usage');
      expect(s.keyUsage).toEqual(ku === null ? null : ku.split(', ').map((k) => KEY_USAGE_TEXT[k]));
      const eku = extensionText(text, 'X509v3 Extended Key Usage');
      expect(s.extendedKeyUsage).toEqual(eku === null ? null : eku.split(', ').map((k) => EKU_TEXT[k] ?? k));

      const ski = extensionText(text, 'X509v3 Subject Key Identifier');
      expect(s.subjectKeyIdentifier).toBe(ski === null ? null : ski.replace(/:/g, '').toLowerCase());
      const aki = extensionText(text, 'X509v3 Authority Key Identifier');
      expect(s.authorityKeyIdentifier).toBe(aki === null ? null : aki.replace(/^keyid:/, '').replace(/:/g, '').toLowerCase());

      const san = extensionText(text, 'X509v3 Subject Alternative Name');
      const ours = s.subjectAltNames.map((n) => (n.startsWith('IP:') && n.includes(':', 3) ? `IP:${expandIpv6(n.slice(3))}` : n));
      const expectedSans = (san === null ? [] : san.split(', ')).map((n) => {
        const ip = /^IP Address:(.*)$/.exec(n);
        if (!ip) return n;
        return ip[1]!.includes(':') ? `IP:${expandIpv6(ip[1]!)}` : `IP:${ip[1]}`;
      });
      expect(ours).toEqual(expectedSans);

      const aia = extensionText(text, 'Authority Information Access') ?? '';
      expect(s.aiaCaIssuers).toEqual([...aia.matchAll(/CA Issuers - URI:([^,\s]+)/g)].map((m) => m[1]));
      expect(s.aiaOcsp).toEqual([...aia.matchAll(/OCSP - URI:([^,\s]+)/g)].map((m) => m[1]));
      const crl = extensionText(text, 'X509v3 CRL Distribution Points') ?? '';
      expect(s.crlDistributionPoints).toEqual([...crl.matchAll(/URI:([^,\s]+)/g)].map((m) => m[1]));

      expect(s.selfSigned).toBe(s.subject === s.issuer && (s.authorityKeyIdentifier === null || s.authorityKeyIdentifier === s.subjectKeyIdentifier));
      expect(d.problems).toEqual([]);
    });
  }

  it('reads the PrintableString and UTF8String encodings of one name as openssl asn1parse shows them', () => {
    const printable = openssl(['asn1parse', '-in', fixturePath('name-ca-printable.pem')]);
    const utf8 = openssl(['asn1parse', '-in', fixturePath('name-ca-utf8.pem')]);
    const d1 = decodeOk('name-ca-printable.pem');
    const d2 = decodeOk('name-ca-utf8.pem');
    expect(printable).toMatch(/PRINTABLESTRING\s+:Name Test CA/);
    expect(utf8).toMatch(/UTF8STRING\s+:Name Test CA/);
    expect(d1.subjectName.rdns.flat().map((a) => a.valueTag)).toEqual([0x13, 0x13, 0x13]);
    expect(d2.subjectName.rdns.flat().map((a) => a.valueTag)).toEqual([0x13, 0x0c, 0x0c]);
    expect(Buffer.from(d1.subjectDer).equals(Buffer.from(d2.subjectDer))).toBe(false);
    expect(d1.summary.subject).toBe(d2.summary.subject);
    expect(d1.subjectKey).toBe(d2.subjectKey);
  });

});

describe('decodeCertificate cache', () => {
  it('decodes the same DER once (cache by SHA-256) and copies the caller bytes', () => {
    const der = cert('leaf-client.pem');
    const copy = new Uint8Array(der);
    const a = decodeCertificate(copy);
    copy.fill(0);
    const b = decodeCertificate(der);
    expect(b).toBe(a);
    expect(isCertificateDecodeError(b)).toBe(false);
    expect(certificateCacheSize()).toBeGreaterThan(0);
  });

  it('reads a DER file and the PEM of the same certificate the same way', () => {
    expect(decodeOk('leaf-client.der').summary).toEqual(decodeOk('leaf-client.pem').summary);
  });

  it('stays bounded and keeps the recently used certificates', () => {
    clearCertificateCache();
    const leaf = decodeCertificate(cert('leaf-client.pem'));
    const root = decodeCertificate(cert('root.pem'));
    for (let i = 0; i < CERTIFICATE_CACHE_LIMIT + 100; i++) {
      const garbage = new Uint8Array(8);
      new DataView(garbage.buffer).setUint32(0, i);
      expect(isCertificateDecodeError(decodeCertificate(garbage))).toBe(true);
      // The leaf is used all along, the root only once at the start.
      if (i % 100 === 0) expect(decodeCertificate(cert('leaf-client.pem'))).toBe(leaf);
    }
    expect(certificateCacheSize()).toBe(CERTIFICATE_CACHE_LIMIT);
    expect(decodeCertificate(cert('leaf-client.pem'))).toBe(leaf);
    const rootAgain = decodeCertificate(cert('root.pem'));
    expect(rootAgain).not.toBe(root);
    expect(rootAgain).toEqual(root);
  });
});
