import type { CatalogEntry, Rule } from '../types.js';

/** The catalog entries of the findings this module's rules produce (docs/findings.md is rendered from them). */
export const starttlsRefusedFindings = [
  {
    id: 'starttls-refused',
    about: 'upgrade',
    severity: 'error',
    title: 'The server refused to switch the connection to TLS',
    meaning:
      'The client asked for TLS inside a plaintext protocol (SMTP/IMAP/POP3/FTP STARTTLS, XMPP <starttls/>, PostgreSQL SSLRequest) and the server answered with a refusal (454, NO/BAD, -ERR, <failure/>, N), so no TLS handshake took place. Only the command and the status line are kept from the plaintext.',
    evidence: 'The frame of the refusal; the client\'s command and the server\'s status line.',
    remedy: 'Enable TLS on the server for that protocol (a certificate and key it can load), or connect to its TLS port directly; the finding names the setting for PostgreSQL, Postfix, Dovecot, vsftpd and Prosody.',
  },
] as const satisfies readonly CatalogEntry[];

/** What to change on the server so it accepts the upgrade, per protocol. */
const REMEDIES: Record<string, string> = {
  postgres:
    'Turn TLS on in postgresql.conf (ssl = on, ssl_cert_file and ssl_key_file readable by the server) and reload; connect with a hostssl line in pg_hba.conf. If the client must work without TLS, its sslmode=require (or verify-ca/verify-full) is what makes it give up.',
  smtp: 'Enable STARTTLS on the mail server (Postfix: smtpd_tls_security_level = may, smtpd_tls_cert_file and smtpd_tls_key_file; "454 4.7.0 TLS not available due to local problem" means Postfix could not load its certificate or key: see the mail log).',
  imap: 'Enable TLS on the IMAP server (Dovecot: ssl = yes with ssl_cert and ssl_key; "BAD" or "NO" to STARTTLS means it is off or failed to load the certificate).',
  pop3: 'Enable TLS on the POP3 server (Dovecot: ssl = yes with ssl_cert and ssl_key).',
  ldap: 'Give the directory server a certificate and key (slapd: TLSCertificateFile and TLSCertificateKeyFile in slapd.conf, or olcTLSCertificateFile / olcTLSCertificateKeyFile in cn=config); "Protocol error (2): unsupported extended operation" to StartTLS means slapd has no TLS configured.',
  ftp: 'Enable explicit FTPS on the server (vsftpd: ssl_enable=YES with rsa_cert_file; ProFTPD: TLSEngine on).',
  xmpp: 'Configure a certificate for the XMPP domain on the server (Prosody: ssl = { certificate, key }) so it offers and accepts STARTTLS.',
};

/** The client asked to switch to TLS and the server said no: no handshake at all. */
export const starttlsRefused: Rule = {
  produces: ['starttls-refused'],
  run({ connection, report }) {
    const refused = connection.upgradeRefused;
    if (refused === null) return [];
    const protocol = report.upgradedFrom ?? 'unknown';
    const hello = report.timeline.find((e) => e.from === 'client' && e.kind === 'ClientHello');
    const after = hello
      ? ` The client sent its ClientHello anyway (frame ${hello.frame}; openssl s_client -starttls does), which the server read as more plaintext: no handshake followed.`
      : ' No TLS handshake took place; a client that requires TLS gives up here (psql: "server does not support SSL, but SSL was required"; ldapsearch -ZZ: "ldap_start_tls: Protocol error").';
    return [
      {
        id: 'starttls-refused',
        explanation: `The client asked to upgrade this ${protocol} connection to TLS (${refused.command}) and the server refused: "${refused.reply}" (frame ${refused.frame}).${after}`,
        evidence: { frames: hello ? [refused.frame, hello.frame] : [refused.frame], fields: { protocol, command: refused.command, server_reply: refused.reply } },
        remedy: REMEDIES[protocol] ?? 'Enable TLS on the server for this protocol (a certificate and key it can load), or connect to its TLS port directly.',
      },
    ];
  },
};
