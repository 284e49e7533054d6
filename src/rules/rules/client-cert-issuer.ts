import { findMessage } from '../../model/report.js';
import type { DecodedCertificate } from '../../x509/types.js';
import type { CatalogEntry, FindingDraft, Rule } from '../types.js';
import { clientCertificateExchange, listNames } from './client-context.js';
import { acceptedBy, decodeAll, decodedCertificates, findIssuer, pathThroughPresented, serverReaction, uniqueFrames } from './shared.js';

/** The catalog entries of the findings this module's rules produce (docs/findings.md is rendered from them). */
export const clientCertIssuerFindings = [
  {
    id: 'client-cert-issuer-not-accepted',
    about: 'client-certificate',
    severity: 'error',
    title: 'The client certificate is not issued by any CA the server accepts',
    meaning: 'None of the certificates the client sent is issued by, or is, one of the acceptable CA names of the CertificateRequest (compared as X.500 names, RFC 5280 §7.1). The server cannot build a chain to a CA it trusts: nginx answers HTTP 400 "The SSL certificate error", OpenSSL unknown_ca, Node closes the connection.',
    evidence: 'CertificateRequest frame and CA names; the client Certificate frame, subjects and issuers sent; the alert, HTTP status or close that followed.',
    remedy: 'Use a client certificate issued by one of the listed CAs, or add the client certificate\'s issuing CA to the server\'s client CA file (nginx ssl_client_certificate, Apache SSLCACertificateFile, Node ca, Java truststore).',
  },
  {
    id: 'client-chain-incomplete',
    about: 'client-certificate',
    severity: 'error',
    title: 'The client sent its leaf certificate without the intermediate CA',
    meaning: 'The client certificate is issued by an intermediate CA that the client did not send, and the server trusts only the root above it, so it cannot build the chain. Typical of `openssl s_client -cert leaf.pem` (which sends the leaf only) and of a curl --cert file holding only the leaf. nginx answers "400 The SSL certificate error" (error.log: "unable to verify the first certificate").',
    evidence: 'CertificateRequest CA names; the client Certificate frame and what it held; where the missing intermediate was found (the server\'s own chain, --ca or --cert); the server\'s reaction.',
    remedy: 'Send the intermediate with the leaf: `openssl s_client -cert leaf.pem -cert_chain intermediate.pem`; a PEM bundle (leaf, then intermediate) in curl --cert; Java: the whole chain in the keystore entry. Or add the intermediate to the server\'s trusted client CAs.',
  },
] as const satisfies readonly CatalogEntry[];

const CHAIN_REMEDY =
  'Send the intermediate with the leaf: `openssl s_client -cert leaf.pem -cert_chain intermediate.pem`; curl: a PEM bundle (leaf first, then the intermediate) in `--cert`; Java: a keystore PrivateKeyEntry holding the whole chain; Node: `cert` = leaf + intermediate PEM. Or make the server trust the intermediate (nginx: add it to ssl_client_certificate / ssl_trusted_certificate).';

/**
 * The client sent a certificate, but nothing it sent is issued by (or is) a CA the server named. Either the
 * certificate comes from another CA (client-cert-issuer-not-accepted) or its intermediate was left out and
 * the server names only the root (client-chain-incomplete — the `openssl s_client -cert` pitfall).
 */
export const clientCertIssuer: Rule = {
  produces: ['client-cert-issuer-not-accepted', 'client-chain-incomplete'],
  run(input, context) {
    const { connection } = input;
    const ex = clientCertificateExchange(connection);
    if (!ex || ex.caNames.length === 0) return [];
    if (ex.chain.some((c) => acceptedBy(c, ex.caNames) !== null)) return [];
    const path = pathThroughPresented(ex.chain);
    const top = path.at(-1)!;
    const reaction = serverReaction(input, ex.certificate.frame);
    const frames = uniqueFrames([ex.request.frame, ex.certificate.frame, ...reaction.frames]);
    const sent = ex.chain.map((c) => c.summary.subject);
    const fields: FindingDraft['evidence']['fields'] = {
      acceptable_ca_names: ex.caNameText,
      client_chain: sent,
      leaf_issuer: ex.leaf.summary.issuer,
    };
    if (reaction.httpStatusLine) fields['http_status_line'] = reaction.httpStatusLine;
    const alertLink = reaction.alertFrame !== undefined ? { explainsAlertFrame: reaction.alertFrame } : {};
    const opening = `The server asked for a client certificate in frame ${ex.request.frame} and accepts only certificates issued by: ${listNames(ex.caNameText)}. The client sent in frame ${ex.certificate.frame}: ${sent.join(' → ')}${ex.chain.length === 1 ? ' (the leaf alone)' : ''}.`;

    if (!isRoot(top)) {
      // The top of what was sent names an issuer that was not sent: find it where we can.
      const candidates = [
        ...serverCertificates(connection),
        ...decodeAll(context.clientAnchors),
        ...decodeAll(context.extraClientCertificates),
      ];
      const missing = findIssuer(top, candidates);
      const reaches = missing ? reachesAccepted(missing, candidates, ex.caNames) : null;
      if (missing && reaches) {
        fields['missing_intermediate'] = missing.summary.subject;
        fields['accepted_root'] = reaches;
        return [
          {
            id: 'client-chain-incomplete',
            explanation: [
              opening,
              `${top.summary.subject} is issued by the intermediate ${missing.summary.subject}, which chains to ${reaches} (an acceptable CA), but the client did not send that intermediate, so the server cannot build the chain.`,
              reaction.text,
              'This is the `openssl s_client -cert leaf.pem` pitfall: -cert sends the leaf only; the intermediate goes with -cert_chain.',
            ]
              .filter(Boolean)
              .join(' '),
            evidence: { frames, fields },
            remedy: CHAIN_REMEDY,
            ...alertLink,
          },
        ];
      }
      return [
        {
          id: 'client-cert-issuer-not-accepted',
          explanation: [
            opening,
            `None of these certificates is issued by, or is, one of the acceptable CAs: the chain stops at ${top.summary.subject}, issued by ${top.summary.issuer}, which the server does not list.`,
            reaction.text,
            `If ${top.summary.issuer} is itself an intermediate CA below one of the listed roots, the client left it out: send it with the leaf (openssl -cert_chain, a PEM bundle in curl --cert).`,
          ]
            .filter(Boolean)
            .join(' '),
          evidence: { frames, fields },
          ...alertLink,
        },
      ];
    }
    fields['client_root'] = top.summary.subject;
    return [
      {
        id: 'client-cert-issuer-not-accepted',
        explanation: [
          opening,
          `The client's chain ends at the root ${top.summary.subject}, which is not among the acceptable CA names: the certificate comes from a CA the server does not trust.`,
          reaction.text,
        ]
          .filter(Boolean)
          .join(' '),
        evidence: { frames, fields },
        ...alertLink,
      },
    ];
  },
};

function isRoot(cert: DecodedCertificate): boolean {
  return cert.summary.selfSigned;
}

function serverCertificates(connection: Parameters<Rule['run']>[0]['connection']): DecodedCertificate[] {
  const message = findMessage(connection, 'server', 'Certificate');
  return message ? decodedCertificates(message.message) : [];
}

/** The acceptable CA name (RFC 4514) that `cert`'s chain through `candidates` reaches, or null. */
function reachesAccepted(cert: DecodedCertificate, candidates: readonly DecodedCertificate[], names: readonly Uint8Array[]): string | null {
  let current: DecodedCertificate | null = cert;
  const seen = new Set<DecodedCertificate>();
  while (current && !seen.has(current)) {
    seen.add(current);
    const how = acceptedBy(current, names);
    if (how === 'subject') return current.summary.subject;
    if (how === 'issuer') return current.summary.issuer;
    current = findIssuer(current, candidates);
  }
  return null;
}
