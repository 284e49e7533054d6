import { signatureSchemeName } from '../../tls/registry/signature-schemes.js';
import type { Rule } from '../types.js';
import { clientCertificateExchange } from './client-context.js';
import { serverReaction, uniqueFrames } from './shared.js';

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

/** The client's key type is not one the CertificateRequest allows (certificate types or signature algorithms). */
export const clientCertType: Rule = {
  produces: ['client-cert-type-not-requested'],
  run({ connection, report }) {
    const ex = clientCertificateExchange(connection);
    if (!ex) return [];
    const algorithm = ex.leaf.summary.publicKey.algorithm;
    const allowedTypes = TYPES_FOR_KEY[algorithm];
    const { certificateTypes, certificateTypeNames, signatureAlgorithms } = ex.request.message;
    const typeProblem = !ex.request.message.tls13 && allowedTypes !== undefined && certificateTypes.length > 0 && !certificateTypes.some((t) => allowedTypes.includes(t));
    const schemeProblem = signatureAlgorithms.length > 0 && !signatureAlgorithms.some((s) => schemeFitsKey(s, algorithm));
    if (!typeProblem && !schemeProblem) return [];
    const reaction = serverReaction(connection, report, ex.certificate.frame);
    const why = [
      typeProblem ? `its certificate types are ${certificateTypeNames.join(', ')}` : null,
      schemeProblem ? `none of its signature algorithms (${signatureAlgorithms.map(signatureSchemeName).join(', ')}) can be made with a ${algorithm} key` : null,
    ]
      .filter(Boolean)
      .join(' and ');
    return [
      {
        id: 'client-cert-type-not-requested',
        explanation: `The client certificate ${ex.leaf.summary.subject} (frame ${ex.certificate.frame}) has a ${algorithm} key, which the server's CertificateRequest (frame ${ex.request.frame}) does not allow: ${why}. ${reaction.text}`.trim(),
        evidence: {
          frames: uniqueFrames([ex.request.frame, ex.certificate.frame, ...reaction.frames]),
          fields: { key_algorithm: algorithm, certificate_types: certificateTypeNames, signature_algorithms: signatureAlgorithms.map(signatureSchemeName) },
        },
        ...(reaction.alertFrame !== undefined ? { explainsAlertFrame: reaction.alertFrame } : {}),
      },
    ];
  },
};
