/**
 * parseOcspResponse: an OCSP response (RFC 6960), e.g. the one stapled in a TLS CertificateStatus message,
 * decoded with @peculiar/asn1-ocsp. Never throws: bytes that are not a response give an OcspParseError.
 * The response signature is not checked here.
 */
import { AsnConvert, AsnParser } from '@peculiar/asn1-schema';
import { BasicOCSPResponse, OCSPResponse, OCSPResponseStatus, id_pkix_ocsp_basic } from '@peculiar/asn1-ocsp';
import { CRLReasons } from '@peculiar/asn1-x509';
import { ByteKeyedCache } from '../x509/byte-cache.js';
import { DerError, readTlv, serialHex } from '../x509/der.js';
import { toHex } from '../util/bytes.js';
import { errorMessage } from '../util/errors.js';
import { parseDistinguishedName } from '../x509/names.js';
import { signatureAlgorithmName } from '../x509/oids.js';

export type OcspResponseStatusName =
  | 'successful'
  | 'malformedRequest'
  | 'internalError'
  | 'tryLater'
  | 'sigRequired'
  | 'unauthorized';

export type OcspCertStatus = 'good' | 'revoked' | 'unknown';

export interface OcspSingleResponse {
  certId: {
    /** Hash algorithm OID of the CertID, and its name when known (sha1, sha256, …). */
    hashAlgorithm: string;
    issuerNameHash: string;
    issuerKeyHash: string;
    /** Serial number hex, as in CertificateSummary.serialNumber. */
    serialNumber: string;
  };
  certStatus: OcspCertStatus;
  revocationTime: string | null;
  /** CRLReason name (keyCompromise, …); null when revoked without a reason or not revoked. */
  revocationReason: string | null;
  thisUpdate: string;
  nextUpdate: string | null;
}

export interface OcspSummary {
  kind: 'ocsp-response';
  responseStatus: OcspResponseStatusName | string;
  /** OID of responseBytes.responseType; null when the response carries no bytes (every non-successful status). */
  responseType: string | null;
  /** Present for a successful basic response. */
  basic: {
    version: number;
    producedAt: string;
    /** byName: RFC 4514 name; byKey: SHA-1 hex of the responder key. */
    responderId: { byName: string } | { byKey: string };
    responses: OcspSingleResponse[];
    /** Number of certificates the responder included (its own, usually). */
    certificates: number;
    signatureAlgorithm: string;
  } | null;
}

export interface OcspParseError {
  kind: 'ocsp-parse-error';
  /** 'response' (outer OCSPResponse) or 'basic' (the BasicOCSPResponse inside responseBytes). */
  stage: 'response' | 'basic';
  message: string;
  /** Offset in the response where the DER stops making sense, when known. */
  offset: number | null;
  length: number;
}

/** Deeper than any real OCSP response; bounds the walk on hostile input. */
const MAX_NESTING = 32;

/**
 * Walks every constructed element of [start, end) and checks each length against the bytes present, so a
 * broken response is reported with the offset where it breaks (the ASN.1 library does not say where).
 */
function checkDer(bytes: Uint8Array, start: number, end: number, depth = 0): void {
  if (depth > MAX_NESTING) throw new DerError(`elements nested more than ${MAX_NESTING} deep at offset ${start}`, start);
  let p = start;
  while (p < end) {
    const tlv = readTlv(bytes, p, end);
    if (tlv.tag & 0x20) checkDer(bytes, tlv.contentStart, tlv.end, depth + 1);
    p = tlv.end;
  }
}

/** The content of responseBytes.response (the OCTET STRING holding the BasicOCSPResponse), found by walking. */
function innerResponse(bytes: Uint8Array): { start: number; end: number } | null {
  try {
    const outer = readTlv(bytes, 0);
    const status = readTlv(bytes, outer.contentStart, outer.end);
    if (status.end >= outer.end) return null;
    const explicit = readTlv(bytes, status.end, outer.end);
    const responseBytes = readTlv(bytes, explicit.contentStart, explicit.end);
    const type = readTlv(bytes, responseBytes.contentStart, responseBytes.end);
    const octets = readTlv(bytes, type.end, responseBytes.end);
    return octets.tag === 0x04 ? { start: octets.contentStart, end: octets.end } : null;
  } catch {
    return null;
  }
}

function structuralError(der: Uint8Array): OcspParseError | null {
  try {
    const outer = readTlv(der, 0);
    if (outer.tag !== 0x30) {
      return { kind: 'ocsp-parse-error', stage: 'response', message: `expected an OCSPResponse (SEQUENCE) at offset 0, found tag 0x${outer.tag.toString(16)}`, offset: 0, length: der.length };
    }
    if (outer.end !== der.length) {
      return { kind: 'ocsp-parse-error', stage: 'response', message: `${der.length - outer.end} unexpected bytes after the OCSPResponse at offset ${outer.end}`, offset: outer.end, length: der.length };
    }
    checkDer(der, outer.contentStart, outer.end);
  } catch (e) {
    if (e instanceof DerError) return { kind: 'ocsp-parse-error', stage: 'response', message: `not an OCSPResponse: ${e.message}`, offset: e.offset, length: der.length };
    throw e;
  }
  const inner = innerResponse(der);
  if (inner === null) return null;
  try {
    checkDer(der, inner.start, inner.end);
  } catch (e) {
    if (e instanceof DerError) return { kind: 'ocsp-parse-error', stage: 'basic', message: `the BasicOCSPResponse does not decode: ${e.message}`, offset: e.offset, length: der.length };
    throw e;
  }
  return null;
}

const STATUS_NAMES: Record<number, OcspResponseStatusName> = {
  [OCSPResponseStatus.successful]: 'successful',
  [OCSPResponseStatus.malformedRequest]: 'malformedRequest',
  [OCSPResponseStatus.internalError]: 'internalError',
  [OCSPResponseStatus.tryLater]: 'tryLater',
  [OCSPResponseStatus.sigRequired]: 'sigRequired',
  [OCSPResponseStatus.unauthorized]: 'unauthorized',
};

const HASH_NAMES: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '1.2.840.113549.2.5': 'md5',
};


export function isOcspParseError(x: OcspSummary | OcspParseError): x is OcspParseError {
  return x.kind === 'ocsp-parse-error';
}

/**
 * Parsed responses kept per distinct DER: a server staples the same response in every handshake, and parsing
 * it with asn1js for each connection was 22 % of the handshake-heavy pipeline. Bounded (docs/limits.md).
 */
export const OCSP_CACHE_LIMIT = 256;
const cache = new ByteKeyedCache<OcspSummary | OcspParseError>(OCSP_CACHE_LIMIT);

/** Parses (or returns the cached parse of) one OCSPResponse; the result is shared: do not modify it. */
export function parseOcspResponse(der: Uint8Array): OcspSummary | OcspParseError {
  const cached = cache.get(der);
  if (cached) return cached;
  const result = parseUncached(der);
  cache.set(der, result);
  return result;
}

function parseUncached(der: Uint8Array): OcspSummary | OcspParseError {
  const broken = structuralError(der);
  if (broken) return broken;
  let outer: OCSPResponse;
  try {
    outer = AsnParser.parse(der, OCSPResponse);
  } catch (e) {
    return { kind: 'ocsp-parse-error', stage: 'response', message: `not an OCSPResponse: ${errorMessage(e)}`, offset: null, length: der.length };
  }
  const responseStatus = STATUS_NAMES[outer.responseStatus] ?? `status ${outer.responseStatus}`;
  const summary: OcspSummary = {
    kind: 'ocsp-response',
    responseStatus,
    responseType: outer.responseBytes?.responseType ?? null,
    basic: null,
  };
  if (!outer.responseBytes || outer.responseBytes.responseType !== id_pkix_ocsp_basic) return summary;
  try {
    const basic = AsnParser.parse(outer.responseBytes.response.buffer, BasicOCSPResponse);
    const data = basic.tbsResponseData;
    const responderId = data.responderID.byName
      ? { byName: parseDistinguishedName(new Uint8Array(AsnConvert.serialize(data.responderID.byName))).rfc4514 }
      : { byKey: data.responderID.byKey ? toHex(new Uint8Array(data.responderID.byKey.buffer)) : '' };
    summary.basic = {
      version: data.version + 1,
      producedAt: data.producedAt.toISOString(),
      responderId,
      responses: data.responses.map((single) => {
        const status = single.certStatus;
        const revoked = status.revoked;
        const certStatus: OcspCertStatus = revoked ? 'revoked' : status.good !== undefined ? 'good' : 'unknown';
        const reason = revoked?.revocationReason?.reason;
        return {
          certId: {
            hashAlgorithm: HASH_NAMES[single.certID.hashAlgorithm.algorithm] ?? single.certID.hashAlgorithm.algorithm,
            issuerNameHash: toHex(new Uint8Array(single.certID.issuerNameHash.buffer)),
            issuerKeyHash: toHex(new Uint8Array(single.certID.issuerKeyHash.buffer)),
            serialNumber: serialHex(new Uint8Array(single.certID.serialNumber)),
          },
          certStatus,
          revocationTime: revoked ? revoked.revocationTime.toISOString() : null,
          revocationReason: reason === undefined ? null : (CRLReasons[reason] ?? `reason ${reason}`),
          thisUpdate: single.thisUpdate.toISOString(),
          nextUpdate: single.nextUpdate ? single.nextUpdate.toISOString() : null,
        };
      }),
      certificates: basic.certs?.length ?? 0,
      signatureAlgorithm: signatureAlgorithmName(basic.signatureAlgorithm.algorithm),
    };
  } catch (e) {
    return { kind: 'ocsp-parse-error', stage: 'basic', message: `the BasicOCSPResponse does not decode: ${errorMessage(e)}`, offset: null, length: der.length };
  }
  return summary;
}
