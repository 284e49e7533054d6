import { namesMatch, parseDistinguishedName } from '../../x509/names.js';
import { decodeCertificate } from '../../x509/index.js';
import { findMessage } from '../../model/report.js';
import type { FindingDraft, Rule } from '../types.js';
import { firstFatalAlertAfter } from './shared.js';

export const clientCertEmpty: Rule = {
  produces: ['client-cert-empty'],
  run({ connection, report }, context) {
    const request = findMessage(connection, 'server', 'CertificateRequest');
    const certificate = findMessage(connection, 'client', 'Certificate');
    if (!request || !certificate || certificate.message.certificates.length > 0) return [];
    const names = request.message.certificateAuthorities;
    const listed = names.map((der) => parseDistinguishedName(der).rfc4514);
    const alert = firstFatalAlertAfter(report, certificate.frame);
    const frames = [request.frame, certificate.frame, ...(alert ? [alert.frame] : [])];
    const parts = [
      `The server asked for a client certificate in frame ${request.frame}` +
        (listed.length > 0 ? `, accepting certificates issued by: ${listed.join('; ')}.` : ' without naming acceptable CAs.'),
      `The client answered in frame ${certificate.frame} with an empty Certificate (certificates length 0): it sent no certificate.`,
    ];
    if (alert) parts.push(`The ${alert.from} then ended the handshake with ${alert.description ?? 'an encrypted alert'} (frame ${alert.frame}).`);
    parts.push(
      listed.length > 0
        ? 'Clients such as Java (JSSE), .NET and browsers send an empty certificate when none of their keys is issued by a listed CA; other clients (curl, openssl) when no client certificate is configured.'
        : 'Usually no client certificate is configured on the client.',
    );
    const fields: FindingDraft['evidence']['fields'] = {
      certificates_length: certificate.message.certificatesLength,
      acceptable_ca_names: listed,
    };
    for (const der of context.extraClientCertificates) {
      const decoded = decodeCertificate(der);
      if (decoded.kind !== 'certificate') continue;
      const accepted = names.length === 0 || names.some((n) => namesMatch(n, decoded.issuerDer) || namesMatch(n, decoded.subjectDer));
      parts.push(
        `The client certificate given with --cert (${decoded.summary.subject}) is issued by ${decoded.summary.issuer}, which is ${accepted ? '' : 'NOT '}among the acceptable CA names.`,
      );
      fields['given_certificate_issuer'] = decoded.summary.issuer;
      fields['given_certificate_issuer_accepted'] = accepted;
    }
    return [
      {
        id: 'client-cert-empty',
        explanation: parts.join(' '),
        evidence: { frames, fields },
        ...(alert ? { explainsAlertFrame: alert.frame } : {}),
      },
    ];
  },
};
