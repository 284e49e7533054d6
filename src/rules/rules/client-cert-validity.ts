import type { CatalogEntry, Rule } from '../types.js';
import { clientCertificateExchange } from './client-context.js';
import { serverReaction, uniqueFrames } from './shared.js';
import { describeValidityProblem, firstValidityProblem, validityFields } from './validity.js';

/** The catalog entries of the findings this module's rules produce (docs/findings.md is rendered from them). */
export const clientCertValidityFindings = [
  {
    id: 'client-cert-expired',
    about: 'client-certificate',
    severity: 'error',
    title: 'The client certificate had expired when it was sent',
    meaning: 'A certificate of the client\'s chain was past its notAfter at the time of the packet that carried it. OpenSSL answers certificate_expired (45); nginx HTTP 400.',
    evidence: 'The client Certificate frame and its capture time; the certificate\'s notBefore/notAfter; the alert that followed.',
    remedy: 'Renew the client certificate (and check the clocks of the client and server hosts if the difference is small).',
  },
  {
    id: 'client-cert-not-yet-valid',
    about: 'client-certificate',
    severity: 'error',
    title: 'The client certificate was not yet valid when it was sent',
    meaning: 'A certificate of the client\'s chain has a notBefore later than the time of the packet that carried it. OpenSSL answers bad_certificate (42), not certificate_expired. When the difference is minutes or hours, the clock of the host that issued the certificate runs ahead of the checking host\'s (VMs and containers drift).',
    evidence: 'The client Certificate frame and its capture time; the certificate\'s notBefore/notAfter; the alert that followed.',
    remedy: 'Fix the clocks (NTP) on the issuing and checking hosts, or issue the certificate with a notBefore in the past (a few minutes back-dated).',
  },
] as const satisfies readonly CatalogEntry[];

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
