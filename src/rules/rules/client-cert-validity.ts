import type { Rule } from '../types.js';
import { clientCertificateExchange } from './client-context.js';
import { serverReaction, uniqueFrames } from './shared.js';
import { describeValidityProblem, firstValidityProblem, validityFields } from './validity.js';

/** A client certificate outside its validity period at the time of the packet that carried it. */
export const clientCertValidity: Rule = {
  produces: ['client-cert-expired', 'client-cert-not-yet-valid'],
  run(input) {
    const { connection } = input;
    const ex = clientCertificateExchange(connection);
    if (!ex) return [];
    const time = new Date(ex.certificate.time * 1000);
    const problem = firstValidityProblem(ex.chain, time);
    if (!problem) return [];
    const reaction = serverReaction(input, ex.certificate.frame);
    const notes =
      problem.kind === 'not-yet-valid' && reaction.alertFrame !== undefined
        ? ' OpenSSL answers a not-yet-valid certificate with bad_certificate (42), not certificate_expired.'
        : '';
    return [
      {
        id: problem.kind === 'expired' ? 'client-cert-expired' : 'client-cert-not-yet-valid',
        explanation: `${describeValidityProblem(problem, 'client', time, ex.certificate.frame)} ${reaction.text}${notes}`.trim(),
        evidence: { frames: uniqueFrames([ex.certificate.frame, ...reaction.frames]), fields: validityFields(problem, time) },
        ...(reaction.alertFrame !== undefined ? { explainsAlertFrame: reaction.alertFrame } : {}),
      },
    ];
  },
};
