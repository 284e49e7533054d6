import { ExtensionType } from '../registry/extensions.js';
import { ByteReader } from './reader.js';
import { extensionReader, readExtensionBlock } from './extensions.js';
import { MAX_CERTIFICATES_PER_CHAIN } from './limits.js';
import type { Certificate, CertificateEntry } from './types.js';

/**
 * Certificate (RFC 5246 §7.4.2, RFC 8446 §4.4.2). An empty list is a normal answer (a client without a
 * certificate), reported as certificatesLength 0. Certificates stay DER views; decoding is src/x509's job.
 */
export function parseCertificate(body: Uint8Array, tls13: boolean): Certificate {
  const reader = new ByteReader(body, 'Certificate');
  let requestContext: Uint8Array | undefined;
  if (tls13) requestContext = reader.vector(1, 'certificate_request_context');
  const list = reader.subReader(3, 'certificate_list');
  const certificates: CertificateEntry[] = [];
  while (list.remaining > 0) {
    if (certificates.length === MAX_CERTIFICATES_PER_CHAIN) list.exceedsLimit(`at most ${MAX_CERTIFICATES_PER_CHAIN} certificates (tlsdiag's limit), found more`);
    const entryAt = list.offset;
    const data = list.vector(3, tls13 ? 'cert_data' : 'ASN.1Cert');
    if (data.length === 0) list.fail('a non-empty certificate', entryAt);
    const entry: CertificateEntry = { data, extensions: [] };
    if (tls13) {
      const located = readExtensionBlock(list, 'CertificateEntry');
      entry.extensions = located.map((l) => l.extension);
      for (const item of located) {
        if (item.extension.type !== ExtensionType.statusRequest) continue;
        const r = extensionReader(item, 'Certificate');
        const statusType = r.u8('status_type');
        if (statusType === 1) entry.ocspResponse = r.vector(3, 'OCSPResponse');
      }
    }
    certificates.push(entry);
  }
  reader.expectEnd('Certificate');
  const result: Certificate = { type: 'Certificate', tls13, certificatesLength: list.bytes.length, certificates };
  if (requestContext !== undefined) result.requestContext = requestContext;
  return result;
}
