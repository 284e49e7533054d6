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
    id: 'client-cert-empty-accepted',
    severity: 'info',
    title: 'The server asked for a client certificate, got none, and carried on',
    meaning:
      'The server sent CertificateRequest, the client answered with an empty Certificate, and the server completed the handshake and went on without an alert, an HTTP 4xx/5xx or closing the connection (the client closed it, or the server answered with a success). The server treats the certificate as optional: nginx ssl_verify_client optional, Apache SSLVerifyClient optional, PostgreSQL with ssl_ca_file and no clientcert in pg_hba.conf. Not a failure; worth knowing when a later request needs the certificate.',
    evidence: 'CertificateRequest frame and CA names; the empty Certificate frame; who closed the connection, or the decrypted HTTP status line.',
    remedy: 'Nothing to fix for this connection. If the application expects a client identity, configure a client certificate issued by one of the listed CAs, or make the server require it.',
  },
  {
    id: 'starttls-refused',
    severity: 'error',
    title: 'The server refused to switch the connection to TLS',
    meaning:
      'The client asked for TLS inside a plaintext protocol (SMTP/IMAP/POP3/FTP STARTTLS, XMPP <starttls/>, PostgreSQL SSLRequest) and the server answered with a refusal (454, NO/BAD, -ERR, <failure/>, N), so no TLS handshake took place. Only the command and the status line are kept from the plaintext.',
    evidence: 'The frame of the refusal; the client\'s command and the server\'s status line.',
    remedy: 'Enable TLS on the server for that protocol (a certificate and key it can load), or connect to its TLS port directly; the finding names the setting for PostgreSQL, Postfix, Dovecot, vsftpd and Prosody.',
  },
  {
    id: 'server-answered-plaintext',
    severity: 'error',
    title: 'The server answered the ClientHello with bytes that are not TLS: TLS was sent to a plaintext port',
    meaning:
      'The client opened with a TLS ClientHello and the server\'s first bytes were not a TLS record but another protocol: most often an HTTP server reading the ClientHello as a broken request and answering "HTTP/1.1 400 Bad Request" (nginx on a `listen` without ssl, python http.server with an HTML error page). The client then fails with "wrong version number" (OpenSSL, curl exit 35). Also when the server spoke first in plaintext (a greeting: SMTP 220, SSH-2.0, a MySQL/MariaDB handshake packet) and the client answered with a ClientHello without asking for TLS: implicit TLS against a port that starts in plaintext. Only the first line of the server\'s bytes (for MySQL, the server version of its greeting) is kept; the rest is not parsed.',
    evidence: 'The ClientHello frame; the frame of the server\'s first bytes and their first line.',
    remedy:
      'Connect to the server\'s TLS port, or use http:// for this port; behind a proxy, make its upstream scheme match the backend (nginx proxy_pass http:// to a plaintext backend, https:// only to a TLS one; HAProxy: no `ssl` on a plaintext server line). For a server that greets first, use its upgrade (STARTTLS, the MySQL client\'s --ssl) or its implicit-TLS port.',
  },
  {
    id: 'client-sent-plaintext',
    severity: 'error',
    title: 'The client sent bytes that are not TLS to a server that speaks TLS',
    meaning:
      'The client\'s first bytes were another protocol (usually an HTTP request line: http:// used for an https:// port) and the server showed it expected TLS: it answered with a TLS alert record, with an HTTP server\'s "plain HTTP request was sent to HTTPS port" page (nginx: "400 The plain HTTP request was sent to HTTPS port"), or it closed without a byte on a TLS port (OpenSSL servers such as s_server do this: no alert). Only the first line of each side is kept.',
    evidence: 'The frame and first line of the client\'s bytes; the server\'s answer (its first line, the alert, or the close) and its frame.',
    remedy:
      'Use https:// (or turn TLS on in the client: a database driver\'s sslmode, a mail client\'s SSL/TLS setting); behind a proxy, send TLS to this upstream (nginx proxy_pass https://, HAProxy `ssl` on the server line), or point plain HTTP at the server\'s plaintext port.',
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
    id: 'client-cert-rejected-after-handshake',
    severity: 'error',
    title: 'The server refused the client certificate after the handshake, for a reason the capture does not show',
    meaning: 'The TLS handshake completed with a client certificate that passes every check tlsdiag can make from the capture, and the server\'s first HTTP answer is a 400 (nginx\'s "400 The SSL certificate error"). The check that failed is on the server: verify depth, its client CA file, a CRL, or its own rules.',
    evidence: 'The client Certificate frame and chain; the decrypted HTTP status line and its frame.',
    remedy: 'Read the server\'s error log for the verify error; run tlsdiag again with --verify-depth (nginx ssl_verify_depth) and --ca (the server\'s client CA file) to let it check those offline.',
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
    meaning: 'The client key\'s algorithm (RSA, EC, Ed25519, DSA) matches none of the CertificateRequest\'s certificate types (TLS 1.2) or signature algorithms, so the client cannot sign CertificateVerify in a way the server accepts. OpenSSL-based clients (openssl, curl, nginx as a client) then withhold the certificate and send an empty Certificate: give it with --cert to see this.',
    evidence: 'CertificateRequest certificate types and signature algorithms; the key algorithm of the client leaf sent, or of the certificate given with --cert when the client sent an empty Certificate.',
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
    id: 'server-cert-expired',
    severity: 'error',
    title: 'The server certificate had expired when it was sent',
    meaning: 'A certificate of the server\'s chain was past its notAfter at the time of the packet that carried it. Clients answer certificate_expired (45).',
    evidence: 'The server Certificate frame and its capture time; the certificate\'s notBefore/notAfter; the client\'s alert.',
    remedy: 'Renew the server certificate (or the expired intermediate) and reload the server; check the clocks if the difference is small.',
  },
  {
    id: 'server-cert-not-yet-valid',
    severity: 'error',
    title: 'The server certificate was not yet valid when it was sent',
    meaning: 'A certificate of the server\'s chain has a notBefore later than the packet\'s time. OpenSSL clients answer bad_certificate (42). Minutes or hours off means clock skew between the issuing host and the client (VMs, containers).',
    evidence: 'The server Certificate frame and its capture time; the certificate\'s notBefore/notAfter; the client\'s alert.',
    remedy: 'Fix the clocks (NTP) or issue the certificate with a notBefore in the past.',
  },
  {
    id: 'server-cert-self-signed',
    severity: 'error',
    title: 'The client rejected the server\'s self-signed certificate',
    meaning: 'The server\'s leaf certificate is its own issuer and the handshake failed. Only clients that have this exact certificate in their trust store (or pin it) accept it; every other client answers unknown_ca (curl: "self-signed certificate"). Not reported when the handshake completed: that client trusts it.',
    evidence: 'The server Certificate frame, the certificate subject and SHA-256; the client\'s alert.',
    remedy: 'Use a certificate issued by a CA the clients trust, or distribute this certificate to the clients\' trust stores (curl --cacert, Java truststore, Node ca).',
  },
  {
    id: 'server-cert-eku-missing-serverauth',
    severity: 'error',
    title: 'The server certificate may not be used for a TLS server (no serverAuth EKU)',
    meaning: 'The server leaf has an extendedKeyUsage extension without serverAuth (1.3.6.1.5.5.7.3.1) or anyExtendedKeyUsage. OpenSSL clients answer unsupported_certificate (43) ("unsupported certificate purpose").',
    evidence: 'The server Certificate frame, the leaf\'s extendedKeyUsage values; the client\'s alert.',
    remedy: 'Issue the server certificate with extendedKeyUsage = serverAuth.',
  },
  {
    id: 'server-chain-misordered',
    severity: 'warning',
    title: 'The server sends its chain out of order',
    meaning: 'A certificate in the server\'s chain is not issued by the certificate after it. TLS 1.2 (RFC 5246 §7.4.2) requires this order; TLS 1.3 relaxes it. Most current clients reorder, strict or older ones fail.',
    evidence: 'The server Certificate frame, the subjects in the order sent, the first position that breaks the order.',
    remedy: 'Order the chain file leaf first, then each issuer in turn (nginx ssl_certificate, Apache SSLCertificateChainFile).',
  },
  {
    id: 'server-chain-includes-root',
    severity: 'info',
    title: 'The server sends the root certificate in its chain',
    meaning: 'The chain holds a self-signed root. Clients ignore it (they trust roots from their own store), so it only makes every handshake bigger.',
    evidence: 'The server Certificate frame and the root\'s subject.',
    remedy: 'Remove the root from the chain file; keep the leaf and the intermediates.',
  },
  {
    id: 'ocsp-stapled-revoked',
    severity: 'error',
    title: 'The stapled OCSP response says the server certificate is revoked',
    meaning: 'The server stapled an OCSP response (status_request) whose status for its certificate is revoked. Clients that check the staple reject the connection — curl --cert-status after the handshake (exit 91, no alert).',
    evidence: 'The CertificateStatus frame (or TLS 1.3 Certificate entry), the revocation time and reason, thisUpdate/nextUpdate.',
    remedy: 'Replace the revoked certificate with a newly issued one and reload the server.',
  },
  {
    id: 'ocsp-stapled-unknown',
    severity: 'error',
    title: 'The stapled OCSP response does not know the server certificate',
    meaning: 'The stapled OCSP response answers unknown for the certificate: the responder is for another CA, or the certificate is not one its CA issued. Strict clients (curl --cert-status) reject it.',
    evidence: 'The CertificateStatus frame, the certificate serial and the response\'s times.',
    remedy: 'Point the server\'s OCSP stapling at the responder of the CA that issued the certificate (nginx ssl_stapling_responder, ssl_stapling_file).',
  },
  {
    id: 'ocsp-stapled-stale',
    severity: 'warning',
    title: 'The stapled OCSP response is past its nextUpdate',
    meaning: 'The stapled response\'s nextUpdate lies before the packet\'s time: the server keeps stapling an expired response. Clients that check it treat it as no answer or reject it.',
    evidence: 'The CertificateStatus frame, thisUpdate/nextUpdate and the packet time.',
    remedy: 'Make sure the server can reach its OCSP responder (nginx resolver, firewall) or refresh the response file it staples.',
  },
  {
    id: 'protocol-version-mismatch',
    severity: 'error',
    title: 'Client and server have no TLS version in common',
    meaning: 'A side sent protocol_version (70): the versions the client offers and the versions the server accepts do not meet (for example a TLS 1.3-only client and a TLS 1.2-only server).',
    evidence: 'The ClientHello\'s offered versions; the negotiated version if any; the alert.',
    remedy: 'Enable a common version on both sides (nginx ssl_protocols, openssl -tls1_2/-tls1_3, Java jdk.tls.client.protocols, Node minVersion/maxVersion).',
  },
  {
    id: 'no-shared-cipher',
    severity: 'error',
    title: 'The server rejected the ClientHello: no cipher suite in common',
    meaning: 'The server answered the ClientHello with handshake_failure and no ServerHello: none of the offered cipher suites (or, less often, signature algorithms or groups) is enabled on the server. OpenSSL logs "no shared cipher".',
    evidence: 'The ClientHello frame and how many suites it offered; the alert frame.',
    remedy: 'Enable at least one common cipher suite (nginx ssl_ciphers, openssl -cipher/-ciphersuites, Java jdk.tls.disabledAlgorithms); check the server certificate\'s key type matches the suites (ECDSA vs RSA).',
  },
  {
    id: 'deprecated-protocol-version',
    severity: 'warning',
    title: 'A deprecated protocol version was negotiated',
    meaning: 'The connection uses SSL 3.0, TLS 1.0 or TLS 1.1 (RFC 8996). It works here, but current clients and servers (OpenSSL 3 at its default security level, Java, browsers) refuse these versions.',
    evidence: 'The ServerHello frame and the negotiated version.',
    remedy: 'Enable TLS 1.2 and 1.3 on both sides and disable the old versions.',
  },
  {
    id: 'weak-key',
    severity: 'warning',
    title: 'A certificate has a weak key',
    meaning: 'An RSA or DSA key under 2048 bits, or an EC key under 224 bits. OpenSSL at security level 2 (default on Debian, Ubuntu, RHEL) rejects it ("ee key too small": bad_certificate), as do browsers and current Java. When the peer rejected the certificate the finding explains the alert.',
    evidence: 'The Certificate frame, the certificate, its key algorithm and size; the peer\'s alert.',
    remedy: 'Issue a new certificate with an RSA 2048+ or EC P-256+ key.',
  },
  {
    id: 'weak-signature-algorithm',
    severity: 'warning',
    title: 'A certificate is signed with MD5 or SHA-1',
    meaning: 'A certificate that is not a self-signed root carries an MD5 or SHA-1 signature. OpenSSL 3, browsers and Java reject such signatures ("ca md too weak").',
    evidence: 'The Certificate frame, the certificate and its signature algorithm; the peer\'s alert.',
    remedy: 'Reissue the certificate with a SHA-256 (or stronger) signature.',
  },
  {
    id: 'v1-certificate',
    severity: 'warning',
    title: 'An X.509 version 1 certificate is in use',
    meaning: 'A v1 certificate has no extensions: no subjectAltName (host names cannot be matched), no key usage, no basicConstraints (OpenSSL will not accept it as an intermediate CA).',
    evidence: 'The Certificate frame and the certificate.',
    remedy: 'Reissue it as a v3 certificate with subjectAltName (openssl x509 -req with -extfile).',
  },
  {
    id: 'capture-truncated',
    severity: 'warning',
    title: 'The capture cut the packets short (snaplen): the handshake cannot be read',
    meaning: 'Every handshake packet of the connection lost bytes from the first one on: the snapshot length of the capture was smaller than the packets. The handshake may well have succeeded; tlsdiag cannot tell.',
    evidence: 'The frames that lost bytes and how many.',
    remedy: 'Capture again with the whole packets: tcpdump -s 0 (or -s 65535), dumpcap/tshark without -s.',
  },
  {
    id: 'capture-gap',
    severity: 'warning',
    title: 'The capture lost segments inside the handshake',
    meaning: 'Bytes of the handshake are missing from the capture (dropped by the capturing host or not seen on that interface); the messages after the gap cannot be parsed.',
    evidence: 'The frames where bytes are missing, how many, and on which side.',
    remedy: 'Capture again with a larger buffer (tcpdump -B), -U --immediate-mode, a filter on the port, on the host itself.',
  },
  {
    id: 'capture-started-mid-handshake',
    severity: 'warning',
    title: 'The capture starts after the ClientHello',
    meaning: 'The capture holds no ClientHello (and no SYN) for the connection: it began after the handshake started, so versions, suites and keys cannot be known.',
    evidence: 'The first frame seen of the connection; whether the SYN was captured.',
    remedy: 'Start the capture before the client connects (or make the client reconnect).',
  },
  {
    id: 'client-chain-untrusted',
    severity: 'error',
    title: 'The client\'s chain does not validate against the server\'s client CAs (--ca)',
    meaning: 'The client chain was validated offline, as OpenSSL does, against the CA bundle given with --ca (the server\'s client CA file); the first failing link and why are given.',
    evidence: 'The client Certificate frame; the failing position, subject, issuer and reason; the path built.',
    remedy: 'Fix the link named: send the missing intermediate, use a certificate from a CA in the bundle, renew it, or add its CA to the server\'s client CA file.',
  },
  {
    id: 'server-chain-untrusted',
    severity: 'error',
    title: 'The server\'s chain does not validate against the client\'s trust store (--server-ca)',
    meaning: 'The server chain was validated offline, as OpenSSL does, against the CA bundle given with --server-ca (what the client trusts); the first failing link and why are given.',
    evidence: 'The server Certificate frame; the failing position, subject, issuer and reason; the path built.',
    remedy: 'Fix the link named: serve the missing intermediate, renew the certificate, or give the client the right CA bundle.',
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
