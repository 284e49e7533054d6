import { CLIENT_CERTIFICATE_TYPE_NAMES } from '../registry/certificate-types.js';
import { ExtensionType } from '../registry/extensions.js';
import { ByteReader } from './reader.js';
import { extensionReader, readDistinguishedNames, readExtensionBlock, readSignatureSchemeList } from './extensions.js';
import type { CertificateRequest } from './types.js';

/**
 * CertificateRequest. TLS 1.2 (RFC 5246 §7.4.4): certificate types, signature algorithms, CA names.
 * TLS 1.0/1.1 (RFC 4346 §7.4.4) lack the signature algorithms: the caller says so through `version`.
 * TLS 1.3 (RFC 8446 §4.3.2): a request context and extensions.
 */
export function parseCertificateRequest(body: Uint8Array, version: number | undefined): CertificateRequest {
  const reader = new ByteReader(body, 'CertificateRequest');
  if (version === 0x0304) return parseTls13(reader);
  const certificateTypes = reader.u8List('certificate_types');
  const withSignatureAlgorithms = version === undefined || version >= 0x0303;
  const signatureAlgorithms = withSignatureAlgorithms ? reader.u16List(2, 'supported_signature_algorithms') : [];
  const certificateAuthorities = readDistinguishedNames(reader, 'certificate_authorities');
  reader.expectEnd('CertificateRequest');
  return {
    type: 'CertificateRequest',
    tls13: false,
    certificateTypes,
    certificateTypeNames: certificateTypes.map((t) => CLIENT_CERTIFICATE_TYPE_NAMES[t] ?? `unknown(${t})`),
    signatureAlgorithms,
    certificateAuthorities,
    extensions: [],
  };
}

function parseTls13(reader: ByteReader): CertificateRequest {
  const requestContext = reader.vector(1, 'certificate_request_context');
  const located = readExtensionBlock(reader, 'CertificateRequest');
  reader.expectEnd('CertificateRequest');
  const request: CertificateRequest = {
    type: 'CertificateRequest',
    tls13: true,
    certificateTypes: [],
    certificateTypeNames: [],
    signatureAlgorithms: [],
    certificateAuthorities: [],
    requestContext,
    extensions: located.map((l) => l.extension),
  };
  for (const item of located) {
    const r = extensionReader(item, 'CertificateRequest');
    switch (item.extension.type) {
      case ExtensionType.signatureAlgorithms:
        request.signatureAlgorithms = readSignatureSchemeList(r, 'signature_algorithms');
        break;
      case ExtensionType.signatureAlgorithmsCert:
        request.signatureAlgorithmsCert = readSignatureSchemeList(r, 'signature_algorithms_cert');
        break;
      case ExtensionType.certificateAuthorities:
        request.certificateAuthorities = readDistinguishedNames(r, 'certificate_authorities');
        r.expectEnd('certificate_authorities extension');
        break;
      case ExtensionType.oidFilters: {
        const filters = r.subReader(2, 'OIDFilter list');
        const list: Array<{ oid: Uint8Array; values: Uint8Array }> = [];
        while (filters.remaining > 0) {
          const oid = filters.vector(1, 'certificate_extension_oid');
          const values = filters.vector(2, 'certificate_extension_values');
          list.push({ oid, values });
        }
        r.expectEnd('oid_filters extension');
        request.oidFilters = list;
        break;
      }
      default:
        break;
    }
  }
  return request;
}
