import { findMessage } from '../../model/report.js';
import type { TlsConnection } from '../../tls/connection.js';
import type { HandshakeEvent } from '../../tls/events.js';
import type { Certificate, CertificateRequest } from '../../tls/handshake/types.js';
import { sameBytes } from '../../util/bytes.js';
import type { DecodedCertificate } from '../../x509/types.js';
import { caNameStrings, decodedCertificates } from './shared.js';

/** What the client-certificate rules look at: the request, the client's answer and its decoded chain. */
export interface ClientCertificateExchange {
  request: HandshakeEvent & { message: CertificateRequest };
  certificate: HandshakeEvent & { message: Certificate };
  chain: DecodedCertificate[];
  leaf: DecodedCertificate;
  /** DER acceptable CA names; empty when the server named none. */
  caNames: Uint8Array[];
  caNameText: string[];
}

/** The request and a non-empty client Certificate whose leaf decodes, or null. */
export function clientCertificateExchange(connection: TlsConnection): ClientCertificateExchange | null {
  const request = findMessage(connection, 'server', 'CertificateRequest');
  const certificate = findMessage(connection, 'client', 'Certificate');
  if (!request || !certificate || certificate.message.certificates.length === 0) return null;
  const chain = decodedCertificates(certificate.message);
  const leaf = chain[0];
  // The first certificate sent must be the leaf; when it does not decode there is nothing reliable to say.
  if (!leaf || !sameBytes(leaf.der, certificate.message.certificates[0]!.data)) return null;
  const caNames = request.message.certificateAuthorities;
  return { request, certificate, chain, leaf, caNames, caNameText: caNameStrings(caNames) };
}

export function listNames(names: readonly string[]): string {
  return names.length === 0 ? '(none named)' : names.join('; ');
}
