import { EKU_OID } from '../../x509/oids.js';
import type { FindingDraft, Rule } from '../types.js';
import { clientCertificateExchange } from './client-context.js';
import { allowsSignature, ANY_EKU, serverReaction, uniqueFrames } from './shared.js';

/** The client leaf may not be used for TLS client authentication: EKU without clientAuth, or no digitalSignature. */
export const clientCertUsage: Rule = {
  produces: ['client-cert-eku-missing-clientauth', 'client-cert-keyusage-no-signature'],
  run(input) {
    const { connection } = input;
    const ex = clientCertificateExchange(connection);
    if (!ex) return [];
    const { leaf } = ex;
    const drafts: FindingDraft[] = [];
    const reaction = serverReaction(input, ex.certificate.frame);
    const frames = uniqueFrames([ex.certificate.frame, ...reaction.frames]);
    const link = reaction.alertFrame !== undefined ? { explainsAlertFrame: reaction.alertFrame } : {};
    const eku = leaf.extendedKeyUsageOids;
    if (eku !== null && !eku.includes(EKU_OID.clientAuth) && !eku.includes(ANY_EKU)) {
      drafts.push({
        id: 'client-cert-eku-missing-clientauth',
        explanation: `The client certificate ${leaf.summary.subject} (frame ${ex.certificate.frame}) has an extendedKeyUsage of ${leaf.summary.extendedKeyUsage?.join(', ') || '(empty)'} without clientAuth, so it may not authenticate a TLS client; OpenSSL-based servers (nginx, Apache, s_server) reject it ("unsupported certificate purpose"). ${reaction.text}`.trim(),
        evidence: { frames, fields: { subject: leaf.summary.subject, extended_key_usage: leaf.summary.extendedKeyUsage ?? [] , ...(reaction.httpStatusLine ? { http_status_line: reaction.httpStatusLine } : {}) } },
        ...link,
      });
    }
    if (!allowsSignature(leaf.keyUsage)) {
      drafts.push({
        id: 'client-cert-keyusage-no-signature',
        explanation: `The client certificate ${leaf.summary.subject} (frame ${ex.certificate.frame}) has keyUsage ${leaf.keyUsage?.join(', ') || '(empty)'} without digitalSignature, but the client proves possession of its key by signing CertificateVerify. ${reaction.text}`.trim(),
        evidence: { frames, fields: { subject: leaf.summary.subject, key_usage: leaf.keyUsage ?? [] } },
        ...link,
      });
    }
    return drafts;
  },
};
