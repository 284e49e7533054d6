import { describe, expect, it } from 'vitest';
import { starttlsConnection } from './capture.js';

// Real slapd + ldapsearch -ZZ (GnuTLS, SSLKEYLOGFILE) and vsftpd + openssl s_client -starttls ftp
// (captures/scripts/starttls.sh).

describe('TLS after LDAP StartTLS and FTP AUTH TLS', () => {
  it('ldapsearch -ZZ: upgradedFrom ldap, TLS 1.3 decrypted from the GnuTLS key log, the search inside TLS', async () => {
    const c = await starttlsConnection('ldap-starttls-tls13');
    expect(c.upgradedFrom).toBe('ldap');
    expect(c.established).toBe(true);
    expect(c.decrypted).toBe(true);
    expect(c.serverCertificates?.[0]?.subject).toBe('CN=localhost,O=tlsdiag');
    expect(c.findings.filter((f) => f.severity !== 'info')).toEqual([]);
  });

  it('slapd TLSVerifyClient demand, no client certificate: the mTLS failure behind StartTLS, explained as for direct TLS', async () => {
    const c = await starttlsConnection('ldap-starttls-client-cert-required');
    expect(c.upgradedFrom).toBe('ldap');
    // slapd closes right after the client's Finished, without an alert: rejected, not established.
    expect(c.outcome).toBe('rejected');
    expect(c.established).toBe(false);
    expect(c.findings[0]!.id).toBe('client-cert-empty');
    expect(c.findings[0]!.explanation).toContain('without sending any alert');
    expect(c.findings.map((f) => f.id)).not.toContain('handshake-failed-unexplained');
  });

  it('vsftpd AUTH TLS: upgradedFrom ftp; the certificate it asks for but does not require is noted, not a failure', async () => {
    const c = await starttlsConnection('ftp-auth-tls-tls13');
    expect(c.upgradedFrom).toBe('ftp');
    expect(c.established).toBe(true);
    expect(c.findings.map((f) => f.id)).toEqual(['client-cert-empty-accepted']);
  });

  it('vsftpd without TLS answers AUTH TLS with 530: starttls-refused', async () => {
    const c = await starttlsConnection('ftp-auth-tls-refused');
    expect(c.upgradeRefused).toEqual({ command: 'AUTH TLS', reply: '530 Please login with USER and PASS.', frame: expect.any(Number) });
    expect(c.findings.map((f) => f.id)).toEqual(['starttls-refused']);
  });
});

describe('TLS after MySQL SSL request and XMPP STARTTLS', () => {
  it('MariaDB: upgradedFrom mysql, TLS 1.3 decrypted; the optional client certificate noted', async () => {
    const c = await starttlsConnection('mysql-ssl-tls13');
    expect(c.upgradedFrom).toBe('mysql');
    expect(c.established).toBe(true);
    expect(c.decrypted).toBe(true);
    expect(c.findings.map((f) => f.id)).toEqual(['client-cert-empty-accepted']);
  });

  it('Prosody: upgradedFrom xmpp, TLS 1.3 decrypted, no finding', async () => {
    const c = await starttlsConnection('xmpp-starttls-tls13');
    expect(c.upgradedFrom).toBe('xmpp');
    expect(c.established).toBe(true);
    expect(c.decrypted).toBe(true);
    expect(c.serverCertificates?.[0]?.subject).toBe('CN=localhost,O=tlsdiag');
    expect(c.findings).toEqual([]);
  });
});

describe('a refused LDAP StartTLS', () => {
  it('slapd without TLS answers the StartTLS extended request with protocolError: starttls-refused with its resultCode', async () => {
    const c = await starttlsConnection('ldap-starttls-refused');
    expect(c.upgradedFrom).toBe('ldap');
    expect(c.upgradeRefused).toEqual({
      command: 'StartTLS extended request',
      reply: 'resultCode 2 (protocolError): unsupported extended operation',
      frame: expect.any(Number),
    });
    expect(c.findings.map((f) => f.id)).toEqual(['starttls-refused']);
    expect(c.timeline).toEqual([]);
  });
});
