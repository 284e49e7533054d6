import { describe, expect, it } from 'vitest';
import { starttlsConnection } from './capture.js';

// Real Postfix and Dovecot servers, openssl s_client -starttls smtp|imap|pop3 (captures/scripts/starttls.sh).

describe('TLS after SMTP, IMAP and POP3 STARTTLS', () => {
  for (const [name, protocol] of [
    ['smtp-starttls-tls13', 'smtp'],
    ['imap-starttls-tls13', 'imap'],
    ['pop3-starttls-tls13', 'pop3'],
  ] as const) {
    it(`${name}: upgradedFrom ${protocol}, the TLS 1.3 handshake decrypted and read as for direct TLS`, async () => {
      const c = await starttlsConnection(name);
      expect(c.upgradedFrom).toBe(protocol);
      expect(c.upgradeRefused).toBeNull();
      expect(c.established).toBe(true);
      expect(c.decrypted).toBe(true);
      expect(c.sni).toBe('localhost');
      expect(c.serverCertificates?.[0]?.subject).toBe('CN=localhost,O=tlsdiag');
      expect(c.timeline.filter((e) => e.encrypted && e.kind === 'Certificate')).toHaveLength(1);
      expect(c.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    });
  }

  for (const [name, protocol, command, reply] of [
    ['smtp-starttls-454', 'smtp', 'STARTTLS', '454 4.7.0 TLS not available due to local problem'],
    ['imap-starttls-refused', 'imap', '. STARTTLS', ". BAD TLS support isn't enabled."],
    ['pop3-starttls-refused', 'pop3', 'STLS', "-ERR TLS support isn't enabled."],
  ] as const) {
    it(`${name}: starttls-refused with the server's line; the ClientHello openssl sent anyway is shown, no handshake`, async () => {
      const c = await starttlsConnection(name);
      expect(c.upgradedFrom).toBe(protocol);
      expect(c.upgradeRefused).toEqual({ command, reply, frame: expect.any(Number) });
      expect(c.established).toBe(false);
      expect(c.findings.map((f) => f.id)).toEqual(['starttls-refused']);
      expect(c.findings[0]!.explanation).toContain('sent its ClientHello anyway');
      expect(c.timeline.map((e) => e.kind)).toContain('ClientHello');
      expect(c.timeline.map((e) => e.kind)).not.toContain('ServerHello');
    });
  }
});
