/**
 * Names: RFC 4514 strings against `openssl x509 -nameopt RFC2253`, and namesMatch against OpenSSL's own
 * name comparison (X509_NAME_cmp works on the canonical encoding that -subject_hash / -issuer_hash hash).
 */
import { describe, expect, it } from 'vitest';
import { decodeCertificate, isCertificateDecodeError } from '../../src/x509/decode.js';
import { escapeRfc4514Value, namesMatch, parseDistinguishedName, parseName, prepareString } from '../../src/x509/names.js';
import type { DecodedCertificate } from '../../src/x509/types.js';
import { cert, certificateFixtures, fixturePath, hasOpenssl, openssl } from './fixtures.js';

function decodeOk(name: string): DecodedCertificate {
  const d = decodeCertificate(cert(name));
  if (isCertificateDecodeError(d)) throw new Error(`${name}: ${d.message}`);
  return d;
}

/** What OpenSSL's esc_msb does to our string: every byte of a non-ASCII character's UTF-8 as \XX. */
function escapeMsb(text: string): string {
  return Array.from(text)
    .map((ch) => (ch.codePointAt(0)! < 0x80 ? ch : [...Buffer.from(ch, 'utf8')].map((b) => `\\${b.toString(16).toUpperCase()}`).join('')))
    .join('');
}

describe.runIf(hasOpenssl)('RFC 4514 strings against openssl -nameopt RFC2253', () => {
  for (const name of certificateFixtures()) {
    it(name, () => {
      const d = decodeOk(name);
      const pem = fixturePath(name);
      const [subject, issuer] = openssl(['x509', '-in', pem, '-noout', '-subject', '-issuer', '-nameopt', 'RFC2253,-esc_msb']).split('\n');
      expect(parseDistinguishedName(d.subjectDer).rfc4514).toBe(subject!.replace(/^subject=/, ''));
      expect(parseDistinguishedName(d.issuerDer).rfc4514).toBe(issuer!.replace(/^issuer=/, ''));
      // Plain RFC2253 also escapes the bytes of non-ASCII characters; nothing else differs.
      const escaped = openssl(['x509', '-in', pem, '-noout', '-subject', '-nameopt', 'RFC2253']).trim().replace(/^subject=/, '');
      expect(escapeMsb(d.summary.subject)).toBe(escaped);
    });
  }

  it('escapes what RFC 4514 §2.4 asks for, and keeps a multi-valued RDN in one element', () => {
    const s = decodeOk('names.pem').summary.subject;
    expect(s).toContain('O=Doe\\, Smith \\+ Co. \\"Q\\" \\<x\\>\\;y=z\\\\w');
    expect(s).toContain('OU=\\#hash');
    expect(s).toContain('L=\\ lead');
    expect(s).toContain('ST=trail\\ ');
    expect(s).toContain('CN=Alice+OU=Eng');
    expect(s.startsWith('CN=Jürgen Müller 日本,')).toBe(true);
    expect(s.endsWith(',C=US')).toBe(true);
  });
});

describe.runIf(hasOpenssl)('namesMatch against OpenSSL name comparison (canonical hashes)', () => {
  const names = certificateFixtures();
  const decoded = names.map(decodeOk);

  it('agrees on every pair of subject names and on every issuer/subject pair', () => {
    // Inside the test: a skipped suite's body still runs while tests are collected.
    const hashes = names.map((n) => {
      const [subject, issuer] = openssl(['x509', '-in', fixturePath(n), '-noout', '-subject_hash', '-issuer_hash']).trim().split('\n');
      return { subject: subject!, issuer: issuer! };
    });
    let matches = 0;
    let pairs = 0;
    for (let a = 0; a < names.length; a++) {
      for (let b = 0; b < names.length; b++) {
        const subjects = namesMatch(decoded[a]!.subjectDer, decoded[b]!.subjectDer);
        expect(subjects, `${names[a]} / ${names[b]}`).toBe(hashes[a]!.subject === hashes[b]!.subject);
        const issued = namesMatch(decoded[a]!.issuerDer, decoded[b]!.subjectDer);
        expect(issued, `issuer of ${names[a]} / subject of ${names[b]}`).toBe(hashes[a]!.issuer === hashes[b]!.subject);
        if (a !== b && subjects) matches++;
        pairs++;
      }
    }
    // The name-ca-* fixtures exist to make several different encodings match.
    expect(matches).toBeGreaterThanOrEqual(6);
    expect(pairs).toBe(names.length ** 2);
  });
});

describe('namesMatch (RFC 5280 §7.1)', () => {
  const printable = decodeOk('name-ca-printable.pem');
  const utf8 = decodeOk('name-ca-utf8.pem');
  const casefold = decodeOk('name-ca-casefold.pem');
  const other = decodeOk('name-ca-other.pem');

  it('PrintableString and UTF8String of the same name match; case and inner/outer spaces do not matter', () => {
    expect(Buffer.from(printable.subjectDer).equals(Buffer.from(utf8.subjectDer))).toBe(false);
    expect(namesMatch(printable.subjectDer, utf8.subjectDer)).toBe(true);
    expect(casefold.summary.subject).toBe('CN=NAME test ca,O=\\  example   ORG\\ ,C=us');
    expect(namesMatch(printable.subjectDer, casefold.subjectDer)).toBe(true);
    expect(namesMatch(printable.subjectName, parseDistinguishedName(casefold.subjectDer))).toBe(true);
  });

  it('different names do not match', () => {
    expect(namesMatch(printable.subjectDer, other.subjectDer)).toBe(false);
    expect(namesMatch(decodeOk('root.pem').subjectDer, decodeOk('intermediate.pem').subjectDer)).toBe(false);
  });

  it('an unparsable name matches nothing, not even itself', () => {
    const broken = new Uint8Array([0x30, 0x05, 0x31, 0x03, 0x30, 0x01]);
    expect(namesMatch(broken, broken)).toBe(false);
    expect(namesMatch({ key: '' }, { key: '' })).toBe(false);
  });

  it('prepares strings per RFC 4518 (case folding, NFKC, insignificant space, mapped characters)', () => {
    expect(prepareString('  Straße\u00AD  Nord ')).toBe(prepareString('STRASSE nord'));
    expect(prepareString('ｆｕｌｌ')).toBe('full');
    expect(prepareString('a\u00A0\tb')).toBe('a b');
    expect(prepareString('a b')).not.toBe(prepareString('ab'));
  });
});

describe('parseDistinguishedName and escaping', () => {
  it('gives an error with the offset for bytes that are not a Name, never a throw', () => {
    const cases: Array<[Uint8Array, RegExp]> = [
      [new Uint8Array([]), /offset 0/],
      [new Uint8Array([0x31, 0x00]), /expected a Name \(SEQUENCE\) at offset 0/],
      [new Uint8Array([0x30, 0x03, 0x30, 0x01, 0x00]), /expected an RDN \(SET\) at offset 2/],
      [new Uint8Array([0x30, 0x7f, 0x31]), /says 127 content bytes but only 1 remain/],
      [new Uint8Array([0x30, 0x02, 0x31, 0x00]), /empty RDN .* at offset 2/],
      [new Uint8Array([0x30, 0x00, 0xff]), /1 unexpected bytes after the Name at offset 2/],
    ];
    for (const [bytes, message] of cases) {
      const r = parseDistinguishedName(bytes);
      expect(r.key).toBe('');
      expect(r.error?.message).toMatch(message);
      expect(r.rfc4514).toMatch(/^<unparsable name: /);
    }
  });

  it('parses each Name once: the same bytes from another buffer give the same answer, other bytes their own', () => {
    // CN=a and CN=b: 2.5.4.3 (CN) = UTF8String "a" / "b".
    const cnA = () => new Uint8Array([0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 0x61]);
    const first = parseDistinguishedName(cnA());
    expect(first.rfc4514).toBe('CN=a');
    expect(parseDistinguishedName(cnA())).toBe(first);
    const cnB = cnA();
    cnB[13] = 0x62;
    expect(parseDistinguishedName(cnB).rfc4514).toBe('CN=b');
    expect(Object.isFrozen(first)).toBe(true);
    // Bytes changed after the call (a reused capture buffer) do not change what was kept for the old bytes.
    const reused = cnA();
    parseDistinguishedName(reused);
    reused[13] = 0x63;
    expect(parseDistinguishedName(reused).rfc4514).toBe('CN=c');
    expect(parseDistinguishedName(cnA()).rfc4514).toBe('CN=a');
  });

  it('shows a value that is not a character string as #hex of its DER (RFC 4514 §2.4)', () => {
    // One RDN: 2.5.4.3 (CN) = OCTET STRING 01 02.
    const der = new Uint8Array([0x30, 0x0d, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x03, 0x04, 0x02, 0x01, 0x02]);
    expect(parseName(der).rfc4514).toBe('CN=#04020102');
  });

  it('escapes leading #/space, trailing space, specials and control characters', () => {
    expect(escapeRfc4514Value('#a b ')).toBe('\\#a b\\ ');
    expect(escapeRfc4514Value(' x')).toBe('\\ x');
    expect(escapeRfc4514Value('a,b+c"d\\e<f>g;h')).toBe('a\\,b\\+c\\"d\\\\e\\<f\\>g\\;h');
    expect(escapeRfc4514Value('tab\there')).toBe('tab\\09here');
    expect(escapeRfc4514Value('mid#dle')).toBe('mid#dle');
  });
});
