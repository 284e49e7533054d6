import type { CatalogEntry, Rule } from '../types.js';
import { clientCertificateExchange } from './client-context.js';
import { acceptedBy, pathThroughPresented, serverReaction, uniqueFrames } from './shared.js';

/** The catalog entries of the findings this module's rules produce (docs/findings.md is rendered from them). */
export const verifyDepthFindings = [
  {
    id: 'verify-depth-exceeded',
    about: 'client-certificate',
    severity: 'error',
    title: 'The client chain needs more intermediates than the server\'s verify depth allows',
    meaning: 'With OpenSSL 1.1/3 the verify depth counts intermediate CAs only (not the leaf, not the trust anchor): nginx\'s default ssl_verify_depth 1 accepts leaf + one intermediate; depth 0 accepts none (nginx logs "20:unable to get local issuer certificate" and answers HTTP 400). Needs --verify-depth.',
    evidence: 'The client Certificate frame; the intermediates between the leaf and the trusted CA; the depth given with --verify-depth.',
    remedy: 'Raise the verify depth (nginx ssl_verify_depth, Apache SSLVerifyDepth) to the number of intermediates, or issue client certificates closer to the trusted CA.',
  },
] as const satisfies readonly CatalogEntry[];

/**
 * The client's chain needs more intermediates than the server's verify depth allows. OpenSSL 1.1+/3 counts
 * intermediates only (neither the leaf nor the trust anchor): nginx's default ssl_verify_depth 1 accepts
 * leaf + one intermediate, depth 0 none.
 */
export const verifyDepthExceeded: Rule = {
  produces: ['verify-depth-exceeded'],
  run(input, context) {
    const { connection } = input;
    const depth = context.verifyDepth;
    if (depth === undefined) return [];
    const ex = clientCertificateExchange(connection);
    if (!ex) return [];
    const path = pathThroughPresented(ex.chain);
    // Intermediates: the path below the certificate the server's CA list (or a self-signed root) anchors.
    const anchorAt = path.findIndex((c) => acceptedBy(c, ex.caNames) === 'subject' || c.summary.selfSigned);
    const below = anchorAt >= 0 ? path.slice(0, anchorAt) : path;
    const intermediates = below.slice(1);
    if (intermediates.length <= depth) return [];
    const reaction = serverReaction(input, ex.certificate.frame);
    return [
      {
        id: 'verify-depth-exceeded',
        explanation: `The client's chain (frame ${ex.certificate.frame}) needs ${intermediates.length} intermediate CA${intermediates.length === 1 ? '' : 's'} (${intermediates.map((c) => c.summary.subject).join(', ')}) between the leaf and the trusted CA, but the verify depth is ${depth}. OpenSSL 1.1 and 3 count intermediates only: depth ${depth} allows ${depth} intermediate${depth === 1 ? '' : 's'} (nginx logs "20:unable to get local issuer certificate"). ${reaction.text}`.trim(),
        evidence: {
          frames: uniqueFrames([ex.certificate.frame, ...reaction.frames]),
          fields: { verify_depth: depth, intermediates_needed: intermediates.length, intermediates: intermediates.map((c) => c.summary.subject) },
        },
        remedy: `Raise the verify depth to at least ${intermediates.length} (nginx: ssl_verify_depth ${intermediates.length}; its default is 1), or issue the client certificate closer to the trusted CA.`,
        ...(reaction.alertFrame !== undefined ? { explainsAlertFrame: reaction.alertFrame } : {}),
      },
    ];
  },
};
