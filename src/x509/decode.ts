/**
 * decodeCertificate: DER → DecodedCertificate (the CertificateSummary of the model plus the raw pieces
 * chain validation needs), or a CertificateDecodeError. Never throws.
 */
import { createHash } from 'node:crypto';
import { AsnConvert, AsnParser } from '@peculiar/asn1-schema';
import {
  AuthorityInfoAccessSyntax,
  AuthorityKeyIdentifier,
  BasicConstraints,
  CRLDistributionPoints,
  Certificate,
  ExtendedKeyUsage,
  SubjectKeyIdentifier,
  id_ad_caIssuers,
  id_ad_ocsp,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_cRLDistributionPoints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_pe_authorityInfoAccess,
  type GeneralName,
} from '@peculiar/asn1-x509';
import type { CertificateSummary } from '../model/types.js';
import { X509Certificate } from './peculiar.js';
import { DerError, DerTag, bitLength, children, contentOf, decodeOid, expectTlv, readTlv, serialHex, type Tlv } from './der.js';
import { toHex } from '../util/bytes.js';
import { errorMessage } from '../util/errors.js';
import { formatIpv4, formatIpv6 } from '../ip/address.js';
import { NameError, parseName, parseNameAt } from './names.js';
import { extendedKeyUsageName, publicKeyAlgorithmName, signatureAlgorithmName, curveName, KEY_ALGORITHM_OID, KEY_USAGE_NAMES } from './oids.js';
import type { CertificateDecodeError, CertificateDecodeStage, DecodedCertificate } from './types.js';
import { ByteKeyedCache } from './byte-cache.js';

/**
 * One decoding per distinct certificate: a capture repeats the same chain in every handshake. Bounded, least
 * recently used first out, so a capture full of distinct (or garbage) certificates cannot grow it without end.
 */
export const CERTIFICATE_CACHE_LIMIT = 2048;
const cache = new ByteKeyedCache<DecodedCertificate | CertificateDecodeError>(CERTIFICATE_CACHE_LIMIT);

export function isCertificateDecodeError(x: DecodedCertificate | CertificateDecodeError): x is CertificateDecodeError {
  return x.kind === 'certificate-decode-error';
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function sha1Hex(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}

/** Decodes (or returns the cached decoding of) one DER certificate. */
export function decodeCertificate(der: Uint8Array): DecodedCertificate | CertificateDecodeError {
  const cached = cache.get(der);
  if (cached) return cached;
  const result = decodeUncached(der, sha256Hex(der));
  cache.set(der, result);
  return result;
}

/** Number of decodings held by the cache (for tests and measurements). */
export function certificateCacheSize(): number {
  return cache.size;
}

export function clearCertificateCache(): void {
  cache.clear();
}

class DecodeFault extends Error {
  constructor(
    readonly stage: CertificateDecodeStage,
    message: string,
    readonly offset: number | null,
  ) {
    super(message);
  }
}

function decodeUncached(input: Uint8Array, hash: string): DecodedCertificate | CertificateDecodeError {
  // Own copy: the caller's view may point into a reused capture buffer.
  const der = new Uint8Array(input);
  try {
    return decodeStrict(der, hash);
  } catch (e) {
    let stage: CertificateDecodeStage = 'peculiar';
    let offset: number | null = null;
    let message = errorMessage(e);
    if (e instanceof DecodeFault) ({ stage, offset } = e);
    else if (e instanceof DerError) ({ offset } = e), (stage = 'der');
    else if (e instanceof NameError) ({ offset } = e), (stage = 'name');
    else message = `@peculiar/x509 could not decode the certificate: ${message}`;
    return { kind: 'certificate-decode-error', stage, message, offset, sha256: hash, length: der.length };
  }
}

interface TbsLayout {
  version: number;
  serial: Tlv;
  issuer: Tlv;
  subject: Tlv;
  spki: Tlv;
  hasExtensions: boolean;
}

/** Walks Certificate → TBSCertificate with the DER reader, so structural errors carry an offset. */
function layout(der: Uint8Array, problems: string[]): TbsLayout {
  const cert = expectTlv(der, 0, DerTag.sequence, 'a Certificate');
  if (cert.end !== der.length) problems.push(`${der.length - cert.end} bytes after the certificate at offset ${cert.end}`);
  const parts = children(der, cert);
  if (parts.length !== 3) throw new DecodeFault('structure', `Certificate at offset 0 has ${parts.length} elements, expected 3`, 0);
  const [tbs, sigAlg, sig] = parts as [Tlv, Tlv, Tlv];
  if (tbs.tag !== DerTag.sequence) throw new DecodeFault('structure', `expected TBSCertificate (SEQUENCE) at offset ${tbs.start}`, tbs.start);
  if (sigAlg.tag !== DerTag.sequence) throw new DecodeFault('structure', `expected signatureAlgorithm (SEQUENCE) at offset ${sigAlg.start}`, sigAlg.start);
  if (sig.tag !== DerTag.bitString) throw new DecodeFault('structure', `expected signatureValue (BIT STRING) at offset ${sig.start}`, sig.start);
  const fields = children(der, tbs);
  let i = 0;
  let version = 1;
  if (fields[0]?.tag === 0xa0) {
    const v = expectTlv(der, fields[0].contentStart, DerTag.integer, 'the version', fields[0].end);
    const content = contentOf(der, v);
    if (content.length !== 1 || content[0]! > 2) throw new DecodeFault('structure', `unsupported certificate version at offset ${v.start}`, v.start);
    version = content[0]! + 1;
    i = 1;
  }
  const want = (name: string, tag: number): Tlv => {
    const f = fields[i++];
    if (!f) throw new DecodeFault('structure', `TBSCertificate at offset ${tbs.start} ends before its ${name}`, tbs.end);
    if (f.tag !== tag) throw new DecodeFault('structure', `expected the ${name} at offset ${f.start}, found tag 0x${f.tag.toString(16)}`, f.start);
    return f;
  };
  const serial = want('serialNumber (INTEGER)', DerTag.integer);
  want('signature AlgorithmIdentifier (SEQUENCE)', DerTag.sequence);
  const issuer = want('issuer Name (SEQUENCE)', DerTag.sequence);
  want('validity (SEQUENCE)', DerTag.sequence);
  const subject = want('subject Name (SEQUENCE)', DerTag.sequence);
  const spki = want('subjectPublicKeyInfo (SEQUENCE)', DerTag.sequence);
  const hasExtensions = fields.slice(i).some((f) => f.tag === 0xa3);
  return { version, serial, issuer, subject, spki, hasExtensions };
}

function publicKeyFacts(der: Uint8Array, spki: Tlv): CertificateSummary['publicKey'] {
  try {
    const algSeq = expectTlv(der, spki.contentStart, DerTag.sequence, 'the key AlgorithmIdentifier', spki.end);
    const oidTlv = expectTlv(der, algSeq.contentStart, DerTag.oid, 'the key algorithm', algSeq.end);
    const oid = decodeOid(der, oidTlv);
    const params = oidTlv.end < algSeq.end ? readTlv(der, oidTlv.end, algSeq.end) : null;
    const keyBits = expectTlv(der, algSeq.end, DerTag.bitString, 'the subjectPublicKey', spki.end);
    const key = contentOf(der, keyBits).subarray(1);
    const algorithm = publicKeyAlgorithmName(oid);
    switch (oid) {
      case KEY_ALGORITHM_OID.rsaEncryption:
      case KEY_ALGORITHM_OID.rsassaPss: {
        const rsa = readTlv(key, 0);
        const modulus = expectTlv(key, rsa.contentStart, DerTag.integer, 'the RSA modulus', rsa.end);
        return { algorithm, size: bitLength(contentOf(key, modulus)), curve: null };
      }
      case KEY_ALGORITHM_OID.ecPublicKey: {
        const curveOid = params && params.tag === DerTag.oid ? decodeOid(der, params) : null;
        const curve = curveOid ? curveName(curveOid) : null;
        return { algorithm, size: curve?.size ?? null, curve: curve?.name ?? curveOid };
      }
      case KEY_ALGORITHM_OID.dsa: {
        const p = params ? readTlv(der, params.contentStart, params.end) : null;
        return { algorithm, size: p ? bitLength(contentOf(der, p)) : null, curve: null };
      }
      case KEY_ALGORITHM_OID.ed25519:
        return { algorithm, size: 256, curve: null };
      case KEY_ALGORITHM_OID.ed448:
        return { algorithm, size: 456, curve: null };
      case KEY_ALGORITHM_OID.x25519:
        return { algorithm, size: 253, curve: null };
      case KEY_ALGORITHM_OID.x448:
        return { algorithm, size: 448, curve: null };
      default:
        return { algorithm, size: null, curve: null };
    }
  } catch (e) {
    throw new DecodeFault('public-key', `subjectPublicKeyInfo: ${errorMessage(e)}`, spki.start);
  }
}

function keyUsageNames(extnValue: Uint8Array): string[] {
  const bits = expectTlv(extnValue, 0, DerTag.bitString, 'the KeyUsage BIT STRING');
  const content = contentOf(extnValue, bits);
  const names: string[] = [];
  for (let bit = 0; bit < KEY_USAGE_NAMES.length; bit++) {
    const byte = 1 + (bit >> 3);
    if (byte < content.length && (content[byte]! & (0x80 >> (bit & 7))) !== 0) names.push(KEY_USAGE_NAMES[bit]!);
  }
  return names;
}

/** SAN entries are re-read from DER for IP addresses: the library's string form varies by version. */
function generalNameText(name: GeneralName): string {
  if (name.dNSName !== undefined) return `DNS:${name.dNSName}`;
  if (name.rfc822Name !== undefined) return `email:${name.rfc822Name}`;
  if (name.uniformResourceIdentifier !== undefined) return `URI:${name.uniformResourceIdentifier}`;
  if (name.iPAddress !== undefined) return `IP:${name.iPAddress}`;
  if (name.registeredID !== undefined) return `RID:${name.registeredID}`;
  if (name.directoryName !== undefined) {
    const nameDer = new Uint8Array(AsnConvert.serialize(name.directoryName));
    return `DirName:${parseName(nameDer).rfc4514}`;
  }
  if (name.otherName !== undefined) return `othername:${name.otherName.typeId}`;
  if (name.ediPartyName !== undefined) return 'EdiPartyName:<unsupported>';
  return 'X400Name:<unsupported>';
}

const latin1 = new TextDecoder('latin1');
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * An IA5String of a GeneralName. Bytes above 0x7f are not IA5, yet issuers write UTF-8 there; OpenSSL
 * prints the bytes as they are (so a UTF-8 terminal shows the intended text): read them as UTF-8 when
 * they are valid UTF-8, else as Latin-1 so that every byte still shows.
 */
function ia5Text(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}

/** SAN entries read from the DER, in SAN order: the library's string forms vary by version and by type. */
function sanEntries(extnValue: Uint8Array): string[] {
  const seq = expectTlv(extnValue, 0, DerTag.sequence, 'GeneralNames');
  return children(extnValue, seq).map((t) => {
    const b = contentOf(extnValue, t);
    switch (t.tag) {
      case 0x81:
        return `email:${ia5Text(b)}`;
      case 0x82:
        return `DNS:${ia5Text(b)}`;
      case 0x86:
        return `URI:${ia5Text(b)}`;
      case 0x87:
        if (b.length === 4) return `IP:${formatIpv4(b, 0)}`;
        if (b.length === 16) return `IP:${formatIpv6(b, 0)}`;
        return `IP:#${toHex(b)}`;
      case 0x88:
        return `RID:${decodeOid(extnValue, t)}`;
      case 0xa0:
        return `othername:${decodeOid(extnValue, expectTlv(extnValue, t.contentStart, DerTag.oid, 'the otherName type-id', t.end))}`;
      case 0xa4:
        return `DirName:${parseNameAt(extnValue, readTlv(extnValue, t.contentStart, t.end)).rfc4514}`;
      case 0xa3:
        return 'X400Name:<unsupported>';
      case 0xa5:
        return 'EdiPartyName:<unsupported>';
      default:
        throw new DerError(`unknown GeneralName tag 0x${t.tag.toString(16)} at offset ${t.start}`, t.start);
    }
  });
}

function decodeStrict(der: Uint8Array, hash: string): DecodedCertificate {
  const problems: string[] = [];
  const tbs = layout(der, problems);
  const subjectName = parseNameAt(der, tbs.subject);
  const issuerName = parseNameAt(der, tbs.issuer);
  const publicKey = publicKeyFacts(der, tbs.spki);

  let asn: Certificate;
  try {
    asn = AsnParser.parse(der, Certificate);
  } catch (e) {
    throw new DecodeFault('peculiar', `@peculiar/asn1-x509 could not parse the certificate: ${errorMessage(e)}`, null);
  }
  const certificate = new X509Certificate(asn);
  const validity = asn.tbsCertificate.validity;
  const notBefore = validity.notBefore.getTime();
  const notAfter = validity.notAfter.getTime();

  let basicConstraints: DecodedCertificate['basicConstraints'] = null;
  let keyUsage: string[] | null = null;
  let ekuOids: string[] | null = null;
  let ski: string | null = null;
  let aki: string | null = null;
  const sans: string[] = [];
  const aiaCaIssuers: string[] = [];
  const aiaOcsp: string[] = [];
  const crlDps: string[] = [];
  for (const ext of asn.tbsCertificate.extensions ?? []) {
    const value = new Uint8Array(ext.extnValue.buffer);
    try {
      switch (ext.extnID) {
        case id_ce_basicConstraints: {
          const bc = AsnParser.parse(value, BasicConstraints);
          basicConstraints = { ca: bc.cA, pathLength: bc.pathLenConstraint ?? null };
          break;
        }
        case id_ce_keyUsage:
          keyUsage = keyUsageNames(value);
          break;
        case id_ce_extKeyUsage:
          ekuOids = [...AsnParser.parse(value, ExtendedKeyUsage)];
          break;
        case id_ce_subjectKeyIdentifier:
          ski = toHex(new Uint8Array(AsnParser.parse(value, SubjectKeyIdentifier).buffer));
          break;
        case id_ce_authorityKeyIdentifier: {
          const id = AsnParser.parse(value, AuthorityKeyIdentifier).keyIdentifier;
          aki = id ? toHex(new Uint8Array(id.buffer)) : null;
          break;
        }
        case id_ce_subjectAltName:
          sans.push(...sanEntries(value));
          break;
        case id_pe_authorityInfoAccess:
          for (const ad of AsnParser.parse(value, AuthorityInfoAccessSyntax)) {
            const uri = ad.accessLocation.uniformResourceIdentifier ?? generalNameText(ad.accessLocation);
            if (ad.accessMethod === id_ad_caIssuers) aiaCaIssuers.push(uri);
            else if (ad.accessMethod === id_ad_ocsp) aiaOcsp.push(uri);
          }
          break;
        case id_ce_cRLDistributionPoints:
          for (const dp of AsnParser.parse(value, CRLDistributionPoints)) {
            for (const gn of dp.distributionPoint?.fullName ?? []) {
              crlDps.push(gn.uniformResourceIdentifier ?? generalNameText(gn));
            }
          }
          break;
      }
    } catch (e) {
      problems.push(`extension ${ext.extnID} does not decode: ${errorMessage(e)}`);
    }
  }

  const selfSigned =
    subjectName.key === issuerName.key && (aki === null || ski === null || aki === ski);
  const summary: CertificateSummary = {
    subject: subjectName.rfc4514,
    issuer: issuerName.rfc4514,
    serialNumber: serialHex(contentOf(der, tbs.serial)),
    notBefore: new Date(notBefore).toISOString(),
    notAfter: new Date(notAfter).toISOString(),
    version: tbs.version,
    selfSigned,
    publicKey,
    signatureAlgorithm: signatureAlgorithmName(asn.signatureAlgorithm.algorithm),
    subjectAltNames: sans,
    basicConstraints,
    keyUsage,
    extendedKeyUsage: ekuOids ? ekuOids.map(extendedKeyUsageName) : null,
    subjectKeyIdentifier: ski,
    authorityKeyIdentifier: aki,
    aiaCaIssuers,
    aiaOcsp,
    crlDistributionPoints: crlDps,
    sha256: hash,
    sha1: sha1Hex(der),
  };
  return {
    kind: 'certificate',
    der,
    summary,
    subjectName,
    issuerName,
    subjectDer: subjectName.der,
    issuerDer: issuerName.der,
    subjectKey: subjectName.key,
    issuerKey: issuerName.key,
    notBefore: new Date(notBefore),
    notAfter: new Date(notAfter),
    basicConstraints,
    keyUsage,
    extendedKeyUsageOids: ekuOids,
    subjectKeyIdentifier: ski,
    authorityKeyIdentifier: aki,
    hasExtensions: tbs.hasExtensions,
    problems,
    certificate,
  };
}
