import { decodeCertificate } from '../../x509/index.js';
import { findMessage } from '../../model/report.js';
import type { CatalogEntry, FindingDraft, Rule, RuleInput } from '../types.js';
import { keyTypeRefusal } from './client-cert-type.js';
import { acceptedBy, caNameStrings, serverReaction, uniqueFrames, type Aftermath } from './shared.js';

/** The catalog entries of the findings this module's rules produce (docs/findings.md is rendered from them). */
export const clientCertEmptyFindings = [
  {
    id: 'client-cert-empty',
    about: 'client-certificate',
    severity: 'error',
    title: 'The client answered the certificate request with an empty Certificate',
    meaning:
      'The server sent CertificateRequest and the client replied with a Certificate message holding zero certificates. Either no client key is configured, or (Java, .NET, browsers) the client has keys but none whose issuer is in the server\'s acceptable CA list, so it chose to send none.',
    evidence: 'CertificateRequest frame and its acceptable CA names; the Certificate frame with certificates_length 0; the alert or HTTP status that followed.',
    remedy:
      'Configure a client certificate issued by one of the CA names the server lists (Java: a keystore entry whose issuer is in that list; curl: --cert/--key), or add the client certificate\'s issuing CA to the server\'s client CA file (nginx ssl_client_certificate).',
  },
  {
    id: 'client-cert-empty-accepted',
    about: 'client-certificate',
    severity: 'info',
    title: 'The server asked for a client certificate, got none, and carried on',
    meaning:
      'The server sent CertificateRequest, the client answered with an empty Certificate, and the server completed the handshake and went on without an alert, an HTTP 4xx/5xx or closing the connection (the client closed it, or the server answered with a success). The server treats the certificate as optional: nginx ssl_verify_client optional, Apache SSLVerifyClient optional, PostgreSQL with ssl_ca_file and no clientcert in pg_hba.conf. Not a failure; worth knowing when a later request needs the certificate.',
    evidence: 'CertificateRequest frame and CA names; the empty Certificate frame; who closed the connection, or the decrypted HTTP status line.',
    remedy: 'Nothing to fix for this connection. If the application expects a client identity, configure a client certificate issued by one of the listed CAs, or make the server require it.',
  },
] as const satisfies readonly CatalogEntry[];

/**
 * The handshake completed, no fatal alert followed, and the server did not refuse: it answered with an HTTP
 * status below 400 (decrypted); or, encrypted, the conversation went on (client, server, client again) or did
 * not end with the server hanging up after its first answer. A server that requires the certificate refuses
 * with its first answer and ends the connection (nginx's 400 page, PostgreSQL's FATAL message).
 */
function acceptedWithoutCertificate({ connection, facts }: RuleInput, reaction: Aftermath): boolean {
  if (facts.outcome !== 'established' || reaction.alertFrame !== undefined) return false;
  if (facts.httpStatus !== null) return facts.httpStatus.code < 400;
  if (connection.applicationTurns >= 3) return true;
  return facts.refusalShape?.by !== 'server';
}

export const clientCertEmpty: Rule = {
  produces: ['client-cert-empty', 'client-cert-empty-accepted'],
  run(input, context) {
    const { connection, facts } = input;
    const request = findMessage(connection, 'server', 'CertificateRequest');
    const certificate = findMessage(connection, 'client', 'Certificate');
    if (!request || !certificate || certificate.message.certificates.length > 0) return [];
    const names = request.message.certificateAuthorities;
    const listed = caNameStrings(names);
    const reaction = serverReaction(input, certificate.frame, 'No required SSL certificate was sent');
    const frames = uniqueFrames([request.frame, certificate.frame, ...reaction.frames]);
    if (acceptedWithoutCertificate(input, reaction)) {
      const listedText = listed.length > 0 ? ` (acceptable CAs: ${listed.join('; ')})` : '';
      const how = reaction.httpStatusLine
        ? `answered "${reaction.httpStatusLine}"`
        : connection.applicationTurns >= 3
          ? 'the conversation went on (the client sent application data again after the server answered)'
          : 'sent nothing more until the client ended the connection';
      return [
        {
          id: 'client-cert-empty-accepted',
          explanation: `The server asked for a client certificate in frame ${request.frame}${listedText}; the client sent an empty Certificate in frame ${certificate.frame}; the server completed the handshake and ${how}, with no alert: it treats the client certificate as optional.`,
          evidence: { frames: uniqueFrames([...frames, ...(facts.close !== null ? [facts.close.frame] : [])]), fields: { certificates_length: certificate.message.certificatesLength, acceptable_ca_names: listed } },
        },
      ];
    }
    const parts = [
      `The server asked for a client certificate in frame ${request.frame}` +
        (listed.length > 0 ? `, accepting certificates issued by: ${listed.join('; ')}.` : ' without naming acceptable CAs.'),
      `The client answered in frame ${certificate.frame} with an empty Certificate (certificates length 0): it sent no certificate.`,
    ];
    if (reaction.text) parts.push(reaction.text);
    parts.push(
      listed.length > 0
        ? 'Clients such as Java (JSSE: "No X.509 certificate for client authentication, use empty Certificate message instead"), .NET and browsers send an empty certificate when none of their keys is issued by a listed CA; curl and openssl when no client certificate is configured.'
        : 'Usually no client certificate is configured on the client.',
    );
    const fields: FindingDraft['evidence']['fields'] = {
      certificates_length: certificate.message.certificatesLength,
      acceptable_ca_names: listed,
    };
    if (reaction.httpStatusLine) fields['http_status_line'] = reaction.httpStatusLine;
    for (const der of context.extraClientCertificates) {
      const decoded = decodeCertificate(der);
      if (decoded.kind !== 'certificate') continue;
      const accepted = names.length === 0 || acceptedBy(decoded, names) !== null;
      parts.push(
        `The client certificate given with --cert (${decoded.summary.subject}) is issued by ${decoded.summary.issuer}, which is ${accepted ? '' : 'NOT '}among the acceptable CA names.`,
      );
      const keyRefusal = keyTypeRefusal(request.message, decoded.summary.publicKey.algorithm);
      if (keyRefusal !== null) {
        parts.push(`Its ${decoded.summary.publicKey.algorithm} key, though, is not one the request allows (${keyRefusal}): see client-cert-type-not-requested.`);
      }
      fields['given_certificate_issuer'] = decoded.summary.issuer;
      fields['given_certificate_issuer_accepted'] = accepted;
    }
    return [
      {
        id: 'client-cert-empty',
        explanation: parts.join(' '),
        evidence: { frames, fields },
        ...(listed.length > 0
          ? {
              remedy: `Give the client a certificate issued by ${listed.join(' or ')} (Java: a keystore PrivateKeyEntry whose chain leads to that CA — JSSE sends an empty Certificate when none does; curl --cert/--key; openssl -cert/-key; Node key/cert), or add the CA that issued the client's certificate to the server's client CA file (nginx ssl_client_certificate, Apache SSLCACertificateFile, Node ca).`,
            }
          : {}),
        ...(reaction.alertFrame !== undefined ? { explainsAlertFrame: reaction.alertFrame } : {}),
      },
    ];
  },
};
