import type { CatalogEntry } from './types.js';

/**
 * Every finding tlsdiag can report. The ids are public output: never rename one. docs/findings.md is
 * rendered from this list (`npm run docs:findings`) and a test fails when the two differ.
 */
export const CATALOG: readonly CatalogEntry[] = [
  {
    id: 'client-cert-empty',
    severity: 'error',
    title: 'The client answered the certificate request with an empty Certificate',
    meaning:
      'The server sent CertificateRequest and the client replied with a Certificate message holding zero certificates. Either no client key is configured, or (Java, .NET, browsers) the client has keys but none whose issuer is in the server\'s acceptable CA list, so it chose to send none.',
    evidence: 'CertificateRequest frame and its acceptable CA names; the Certificate frame with certificates_length 0; the alert or HTTP status that followed.',
    remedy:
      'Configure a client certificate issued by one of the CA names the server lists (Java: a keystore entry whose issuer is in that list; curl: --cert/--key), or add the client certificate\'s issuing CA to the server\'s client CA file (nginx ssl_client_certificate).',
  },
  {
    id: 'client-cert-not-sent',
    severity: 'error',
    title: 'The server asked for a client certificate and the client sent no Certificate message',
    meaning: 'The server sent CertificateRequest; the client skipped the Certificate message entirely (not even an empty one) and went on with its key exchange. Old (SSLv3-era) or unusual TLS stacks do this when they have no certificate.',
    evidence: 'CertificateRequest frame and its CA names; the client message that came instead of Certificate; the server\'s reaction.',
    remedy: 'Configure a client certificate issued by one of the CA names the server lists (curl --cert/--key, openssl -cert/-key, Java keystore, Node key/cert).',
  },
  {
    id: 'client-cert-issuer-not-accepted',
    severity: 'error',
    title: 'The client certificate is not issued by any CA the server accepts',
    meaning: 'None of the certificates the client sent is issued by, or is, one of the acceptable CA names of the CertificateRequest (compared as X.500 names, RFC 5280 §7.1). The server cannot build a chain to a CA it trusts: nginx answers HTTP 400 "The SSL certificate error", OpenSSL unknown_ca, Node closes the connection.',
    evidence: 'CertificateRequest frame and CA names; the client Certificate frame, subjects and issuers sent; the alert, HTTP status or close that followed.',
    remedy: 'Use a client certificate issued by one of the listed CAs, or add the client certificate\'s issuing CA to the server\'s client CA file (nginx ssl_client_certificate, Apache SSLCACertificateFile, Node ca, Java truststore).',
  },
  {
    id: 'client-chain-incomplete',
    severity: 'error',
    title: 'The client sent its leaf certificate without the intermediate CA',
    meaning: 'The client certificate is issued by an intermediate CA that the client did not send, and the server trusts only the root above it, so it cannot build the chain. Typical of `openssl s_client -cert leaf.pem` (which sends the leaf only) and of a curl --cert file holding only the leaf. nginx answers "400 The SSL certificate error" (error.log: "unable to verify the first certificate").',
    evidence: 'CertificateRequest CA names; the client Certificate frame and what it held; where the missing intermediate was found (the server\'s own chain, --ca or --cert); the server\'s reaction.',
    remedy: 'Send the intermediate with the leaf: `openssl s_client -cert leaf.pem -cert_chain intermediate.pem`; a PEM bundle (leaf, then intermediate) in curl --cert; Java: the whole chain in the keystore entry. Or add the intermediate to the server\'s trusted client CAs.',
  },
  {
    id: 'client-cert-eku-missing-clientauth',
    severity: 'error',
    title: 'The client certificate may not be used for client authentication (no clientAuth EKU)',
    meaning: 'The client leaf has an extendedKeyUsage extension without clientAuth (1.3.6.1.5.5.7.3.2) or anyExtendedKeyUsage. OpenSSL-based servers reject it ("unsupported certificate purpose"): nginx with HTTP 400, s_server with an alert.',
    evidence: 'The client Certificate frame, the leaf subject and its extendedKeyUsage values; the server\'s reaction.',
    remedy: 'Issue the client certificate with extendedKeyUsage = clientAuth (openssl x509 -extfile with "extendedKeyUsage = clientAuth").',
  },
  {
    id: 'client-cert-keyusage-no-signature',
    severity: 'error',
    title: 'The client certificate\'s keyUsage does not allow signing',
    meaning: 'The client leaf has a keyUsage extension without digitalSignature, but a TLS client proves possession of its key by signing CertificateVerify. Servers reject such a certificate.',
    evidence: 'The client Certificate frame, the leaf subject and its keyUsage values.',
    remedy: 'Issue the client certificate with keyUsage = digitalSignature (and keyEncipherment only if needed).',
  },
  {
    id: 'client-cert-expired',
    severity: 'error',
    title: 'The client certificate had expired when it was sent',
    meaning: 'A certificate of the client\'s chain was past its notAfter at the time of the packet that carried it. OpenSSL answers certificate_expired (45); nginx HTTP 400.',
    evidence: 'The client Certificate frame and its capture time; the certificate\'s notBefore/notAfter; the alert that followed.',
    remedy: 'Renew the client certificate (and check the clocks of the client and server hosts if the difference is small).',
  },
  {
    id: 'client-cert-not-yet-valid',
    severity: 'error',
    title: 'The client certificate was not yet valid when it was sent',
    meaning: 'A certificate of the client\'s chain has a notBefore later than the time of the packet that carried it. OpenSSL answers bad_certificate (42), not certificate_expired. When the difference is minutes or hours, the clock of the host that issued the certificate runs ahead of the checking host\'s (VMs and containers drift).',
    evidence: 'The client Certificate frame and its capture time; the certificate\'s notBefore/notAfter; the alert that followed.',
    remedy: 'Fix the clocks (NTP) on the issuing and checking hosts, or issue the certificate with a notBefore in the past (a few minutes back-dated).',
  },
  {
    id: 'client-cert-type-not-requested',
    severity: 'error',
    title: 'The client certificate\'s key type is not one the server asked for',
    meaning: 'The client key\'s algorithm (RSA, EC, Ed25519, DSA) matches none of the CertificateRequest\'s certificate types (TLS 1.2) or signature algorithms, so the client cannot sign CertificateVerify in a way the server accepts.',
    evidence: 'CertificateRequest certificate types and signature algorithms; the client leaf\'s key algorithm.',
    remedy: 'Use a client key of a type the server allows, or allow that type on the server (e.g. ECDSA signature algorithms in its configuration).',
  },
  {
    id: 'verify-depth-exceeded',
    severity: 'error',
    title: 'The client chain needs more intermediates than the server\'s verify depth allows',
    meaning: 'With OpenSSL 1.1/3 the verify depth counts intermediate CAs only (not the leaf, not the trust anchor): nginx\'s default ssl_verify_depth 1 accepts leaf + one intermediate; depth 0 accepts none (nginx logs "20:unable to get local issuer certificate" and answers HTTP 400). Needs --verify-depth.',
    evidence: 'The client Certificate frame; the intermediates between the leaf and the trusted CA; the depth given with --verify-depth.',
    remedy: 'Raise the verify depth (nginx ssl_verify_depth, Apache SSLVerifyDepth) to the number of intermediates, or issue client certificates closer to the trusted CA.',
  },
  {
    id: 'server-chain-incomplete',
    severity: 'error',
    title: 'The server did not send the intermediate that issued its certificate',
    meaning: 'The server\'s leaf names an issuer that is not in the chain it sent and is not self-signed. Browsers may fetch the missing intermediate (AIA), but curl, openssl, Java, Node and most API clients fail with unknown_ca ("unable to get local issuer certificate").',
    evidence: 'The server Certificate frame and the subjects it held; the missing issuer name; the AIA caIssuers URL; the client\'s alert.',
    remedy: 'Serve the full chain: nginx ssl_certificate = leaf followed by the intermediate(s) (fullchain.pem); Apache SSLCertificateFile with the chain; Java keystore entry with the chain.',
  },
  {
    id: 'server-cert-untrusted',
    severity: 'error',
    title: 'The client does not trust the CA of the server\'s chain',
    meaning: 'The client answered the server\'s (complete) chain with unknown_ca, bad_certificate or certificate_unknown, and no more precise cause (missing intermediate, validity, host name) applies: the root the chain leads to is not in the client\'s trust store.',
    evidence: 'The server Certificate frame and its chain; the root it leads to; the client\'s alert.',
    remedy: 'Make the client trust the root (curl --cacert, openssl -CAfile, Java truststore via keytool -importcert, Node ca / NODE_EXTRA_CA_CERTS), or give the server a certificate from a CA the clients trust.',
  },
  {
    id: 'server-cert-name-mismatch',
    severity: 'error',
    title: 'The server certificate does not cover the requested host name',
    meaning: 'The SNI host name is not among the certificate\'s subjectAltName DNS/IP entries (or its CN when it has no SAN), wildcards matched per RFC 6125 (one left-most label). curl checks after the handshake and only closes; openssl -verify_hostname sends bad_certificate.',
    evidence: 'The SNI from ClientHello; the server Certificate frame and the names it covers; the client\'s alert or close.',
    remedy: 'Connect with a name the certificate covers, or reissue the certificate with the host name in subjectAltName.',
  },
  {
    id: 'tls13-encrypted-handshake',
    severity: 'warning',
    title: 'TLS 1.3 handshake encrypted: certificates and alerts are not visible without a key log',
    meaning: 'TLS 1.3 encrypts everything after ServerHello. Without the session keys tlsdiag infers what record sizes and order show (a client flight too small to hold a certificate; the server closing or alerting right after it) and says how to get a key log.',
    evidence: 'The client\'s encrypted second flight (size, records); what the server sent right after it.',
    remedy: 'Record a key log: SSLKEYLOGFILE for curl, Node, Firefox, Chrome; openssl s_client -keylogfile; Java: jSSLKeyLog agent. Then run tlsdiag --keylog <file>.',
  },
  {
    id: 'keylog-mismatch',
    severity: 'warning',
    title: 'The key log\'s secrets do not decrypt this connection',
    meaning: 'The key log holds secrets for this connection\'s client random, but a record failed to authenticate with them: the file is wrong, truncated or mixed up between sessions. What follows stays encrypted.',
    evidence: 'The frame and side of the first record that failed, and why.',
    remedy: 'Use the key log written by the same client process for this capture (SSLKEYLOGFILE appends; one file may hold several runs).',
  },
  {
    id: 'handshake-alert',
    severity: 'info',
    title: 'A fatal alert ended the handshake',
    meaning: 'One side sent a fatal alert. Who sent it and which alert it is tell which side rejected what.',
    evidence: 'The alert frame, its sender, level and description.',
    remedy: 'See the other findings on this connection for the cause the alert points to.',
  },
  {
    id: 'handshake-failed-unexplained',
    severity: 'error',
    title: 'The handshake failed and no rule explains why',
    meaning: 'The handshake did not complete and none of the specific rules matched. What is known is listed as evidence.',
    evidence: 'The last messages of each side, alerts, and how the connection closed.',
    remedy: 'Check the server and client logs for the connection at the time shown; a key log (for TLS 1.3) or --ca/--server-ca may let tlsdiag say more.',
  },
];

const BY_ID = new Map(CATALOG.map((entry) => [entry.id, entry]));

export function catalogEntry(id: string): CatalogEntry {
  const entry = BY_ID.get(id);
  if (!entry) throw new Error(`finding id '${id}' is not in the catalog (src/rules/catalog.ts)`);
  return entry;
}

/** docs/findings.md, rendered from the catalog. */
export function renderCatalogMarkdown(): string {
  const lines = [
    '# Findings',
    '',
    'Every finding tlsdiag reports, by id. The ids are stable: tests and scripts may rely on them.',
    'Severity: `error` explains a failure, `warning` will fail elsewhere or soon, `info` is context.',
    'This file is generated from `src/rules/catalog.ts` by `npm run docs:findings`; a test fails when they differ.',
    '',
    '| id | severity | title |',
    '|---|---|---|',
    ...CATALOG.map((e) => `| [\`${e.id}\`](#${e.id}) | ${e.severity} | ${e.title} |`),
    '',
  ];
  for (const e of CATALOG) {
    lines.push(`## ${e.id}`, '', `**${e.severity}** — ${e.title}`, '', e.meaning, '', `Evidence: ${e.evidence}`, '', `Remedy: ${e.remedy}`, '');
  }
  return lines.join('\n');
}
