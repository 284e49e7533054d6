import { signatureSchemeName } from '../../tls/registry/signature-schemes.js';
import { findMessage } from '../../model/report.js';
import type { CertificateRequest } from '../../tls/handshake/types.js';
import { decodeCertificate } from '../../x509/index.js';
import type { CatalogEntry, FindingDraft, Rule } from '../types.js';
import { clientCertificateExchange } from './client-context.js';
import { serverReaction, uniqueFrames } from './shared.js';

/** The catalog entries of the findings this module's rules produce (docs/findings.md is rendered from them). */
export const clientCertTypeFindings = [
  {
    id: 'client-cert-type-not-requested',
    about: 'client-certificate',
    severity: 'error',
    title: 'The client certificate\'s key type is not one the server asked for',
    meaning: 'The client key\'s algorithm (RSA, EC, Ed25519, DSA) matches none of the CertificateRequest\'s certificate types (TLS 1.2) or signature algorithms, so the client cannot sign CertificateVerify in a way the server accepts. OpenSSL-based clients (openssl, curl, nginx as a client) then withhold the certificate and send an empty Certificate: give it with --cert to see this.',
    evidence: 'CertificateRequest certificate types and signature algorithms; the key algorithm of the client leaf sent, or of the certificate given with --cert when the client sent an empty Certificate.',
    remedy: 'Use a client key of a type the server allows, or allow that type on the server (e.g. ECDSA signature algorithms in its configuration).',
  },
] as const satisfies readonly CatalogEntry[];

/** TLS 1.2 ClientCertificateType values that allow a signing key of each algorithm (RFC 5246, RFC 8422). */
const TYPES_FOR_KEY: Record<string, number[]> = {
  RSA: [1, 3],
  'RSA-PSS': [1],
  DSA: [2, 4],
  EC: [64, 65, 66],
  Ed25519: [64],
  Ed448: [64],
};

/** Which signature schemes a key of each algorithm can make. */
function schemeFitsKey(scheme: number, algorithm: string): boolean {
  const name = signatureSchemeName(scheme);
  switch (algorithm) {
    case 'RSA':
      return /^rsa_(pkcs1|pss_rsae)_/.test(name) || /^rsa_sha/.test(name);
    case 'RSA-PSS':
      return name.startsWith('rsa_pss_pss_');
    case 'EC':
      return name.startsWith('ecdsa_');
    case 'DSA':
      return name.startsWith('dsa_');
    case 'Ed25519':
      return name === 'ed25519';
    case 'Ed448':
      return name === 'ed448';
    default:
      return true;
  }
}

/**
 * Why a CertificateRequest does not allow a key of this algorithm (its certificate types, its signature
 * algorithms), or null when it does.
 */
export function keyTypeRefusal(request: CertificateRequest, algorithm: string): string | null {
  const allowedTypes = TYPES_FOR_KEY[algorithm];
  const { certificateTypes, certificateTypeNames, signatureAlgorithms } = request;
  const typeProblem = !request.tls13 && allowedTypes !== undefined && certificateTypes.length > 0 && !certificateTypes.some((t) => allowedTypes.includes(t));
  const schemeProblem = signatureAlgorithms.length > 0 && !signatureAlgorithms.some((s) => schemeFitsKey(s, algorithm));
  if (!typeProblem && !schemeProblem) return null;
  return [
    typeProblem ? `its certificate types are ${certificateTypeNames.join(', ')}` : null,
    schemeProblem ? `none of its signature algorithms (${signatureAlgorithms.map(signatureSchemeName).join(', ')}) can be made with ${withArticle(algorithm)} key` : null,
  ]
    .filter(Boolean)
    .join(' and ');
}

/**
 * The client's key type is not one the CertificateRequest allows. Seen on the wire when the client sends such a
 * certificate anyway; when it sends an empty Certificate instead (OpenSSL-based clients withhold a certificate
 * they cannot sign for), seen through the certificate given with --cert.
 */
export const clientCertType: Rule = {
  produces: ['client-cert-type-not-requested'],
  run(input, context) {
    const { connection } = input;
    const ex = clientCertificateExchange(connection);
    if (ex) {
      const algorithm = ex.leaf.summary.publicKey.algorithm;
      const why = keyTypeRefusal(ex.request.message, algorithm);
      if (why === null) return [];
      const reaction = serverReaction(input, ex.certificate.frame);
      return [
        {
          id: 'client-cert-type-not-requested',
          explanation: `The client certificate ${ex.leaf.summary.subject} (frame ${ex.certificate.frame}) has ${withArticle(algorithm)} key, which the server's CertificateRequest (frame ${ex.request.frame}) does not allow: ${why}. ${reaction.text}`.trim(),
          evidence: {
            frames: uniqueFrames([ex.request.frame, ex.certificate.frame, ...reaction.frames]),
            fields: requestFields(ex.request.message, algorithm),
          },
          ...(reaction.alertFrame !== undefined ? { explainsAlertFrame: reaction.alertFrame } : {}),
        },
      ];
    }
    const request = findMessage(connection, 'server', 'CertificateRequest');
    const certificate = findMessage(connection, 'client', 'Certificate');
    if (!request || !certificate || certificate.message.certificates.length > 0) return [];
    const findings: FindingDraft[] = [];
    for (const der of context.extraClientCertificates) {
      const decoded = decodeCertificate(der);
      if (decoded.kind !== 'certificate' || decoded.summary.basicConstraints?.ca === true) continue;
      const algorithm = decoded.summary.publicKey.algorithm;
      const why = keyTypeRefusal(request.message, algorithm);
      if (why === null) continue;
      const reaction = serverReaction(input, certificate.frame);
      findings.push({
        id: 'client-cert-type-not-requested',
        explanation: `The client certificate given with --cert (${decoded.summary.subject}) has ${withArticle(algorithm)} key, which the server's CertificateRequest (frame ${request.frame}) does not allow: ${why}. A client that cannot sign with its key for this server withholds the certificate (OpenSSL, and so curl and nginx as a client, send an empty Certificate), which is what the client did in frame ${certificate.frame}. ${reaction.text}`.trim(),
        evidence: {
          frames: uniqueFrames([request.frame, certificate.frame, ...reaction.frames]),
          fields: { ...requestFields(request.message, algorithm), certificates_length: 0, given_certificate: decoded.summary.subject },
        },
        ...(reaction.alertFrame !== undefined ? { explainsAlertFrame: reaction.alertFrame } : {}),
      });
    }
    return findings;
  },
};

function requestFields(request: CertificateRequest, algorithm: string): FindingDraft['evidence']['fields'] {
  return {
    key_algorithm: algorithm,
    certificate_types: request.certificateTypeNames,
    signature_algorithms: request.signatureAlgorithms.map(signatureSchemeName),
  };
}

function withArticle(algorithm: string): string {
  return `${/^[AEIOU]|^RSA|^Ed/.test(algorithm) ? 'an' : 'a'} ${algorithm}`;
}
