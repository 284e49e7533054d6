import { findMessage } from '../../model/report.js';
import type { CatalogEntry, Rule } from '../types.js';
import { caNameStrings, serverReaction, uniqueFrames } from './shared.js';

/** The catalog entries of the findings this module's rules produce (docs/findings.md is rendered from them). */
export const clientCertNotSentFindings = [
  {
    id: 'client-cert-not-sent',
    about: 'client-certificate',
    severity: 'error',
    title: 'The server asked for a client certificate and the client sent no Certificate message',
    meaning: 'The server sent CertificateRequest; the client skipped the Certificate message entirely (not even an empty one) and went on with its key exchange. Old (SSLv3-era) or unusual TLS stacks do this when they have no certificate.',
    evidence: 'CertificateRequest frame and its CA names; the client message that came instead of Certificate; the server\'s reaction.',
    remedy: 'Configure a client certificate issued by one of the CA names the server lists (curl --cert/--key, openssl -cert/-key, Java keystore, Node key/cert).',
  },
] as const satisfies readonly CatalogEntry[];

/**
 * CertificateRequest and no client Certificate message at all, although the client went on with its
 * flight (an SSLv3-era client, or a TLS stack that skips the message instead of sending it empty).
 */
export const clientCertNotSent: Rule = {
  produces: ['client-cert-not-sent'],
  run(input) {
    const { connection } = input;
    const request = findMessage(connection, 'server', 'CertificateRequest');
    if (!request || findMessage(connection, 'client', 'Certificate')) return [];
    const next = findMessage(connection, 'client', 'ClientKeyExchange') ?? findMessage(connection, 'client', 'Finished');
    if (!next) return [];
    const listed = caNameStrings(request.message.certificateAuthorities);
    const reaction = serverReaction(input, next.frame);
    return [
      {
        id: 'client-cert-not-sent',
        explanation: `The server asked for a client certificate in frame ${request.frame}${listed.length ? ` (acceptable CAs: ${listed.join('; ')})` : ''}, but the client sent no Certificate message and went on with its ${next.message.type} in frame ${next.frame}. ${reaction.text}`.trim(),
        evidence: { frames: uniqueFrames([request.frame, next.frame, ...reaction.frames]), fields: { acceptable_ca_names: listed } },
        ...(reaction.alertFrame !== undefined ? { explainsAlertFrame: reaction.alertFrame } : {}),
      },
    ];
  },
};
