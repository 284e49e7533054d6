import { anyExtendedKeyUsage } from '@peculiar/asn1-x509';
import { EKU_OID } from '../../x509/oids.js';
import type { CatalogEntry, FindingDraft, Rule } from '../types.js';
import { clientCertificateExchange } from './client-context.js';
import { allowsSignature, serverReaction, uniqueFrames } from './shared.js';

/** The catalog entries of the findings this module's rules produce (docs/findings.md is rendered from them). */
export const clientCertUsageFindings = [
  {
    id: 'client-cert-eku-missing-clientauth',
    about: 'client-certificate',
    severity: 'error',
    title: 'The client certificate may not be used for client authentication (no clientAuth EKU)',
    meaning: 'The client leaf has an extendedKeyUsage extension without clientAuth (1.3.6.1.5.5.7.3.2) or anyExtendedKeyUsage. OpenSSL-based servers reject it ("unsupported certificate purpose"): nginx with HTTP 400, s_server with an alert.',
    evidence: 'The client Certificate frame, the leaf subject and its extendedKeyUsage values; the server\'s reaction.',
    remedy: 'Issue the client certificate with extendedKeyUsage = clientAuth (openssl x509 -extfile with "extendedKeyUsage = clientAuth").',
  },
  {
    id: 'client-cert-keyusage-no-signature',
    about: 'client-certificate',
    severity: 'error',
    title: 'The client certificate\'s keyUsage does not allow signing',
    meaning: 'The client leaf has a keyUsage extension without digitalSignature, but a TLS client proves possession of its key by signing CertificateVerify. Servers reject such a certificate.',
    evidence: 'The client Certificate frame, the leaf subject and its keyUsage values.',
    remedy: 'Issue the client certificate with keyUsage = digitalSignature (and keyEncipherment only if needed).',
  },
] as const satisfies readonly CatalogEntry[];

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
    if (eku !== null && !eku.includes(EKU_OID.clientAuth) && !eku.includes(anyExtendedKeyUsage)) {
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
