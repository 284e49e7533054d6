import { describe, expect, it } from 'vitest';
import type { ConnectionReport } from '../../src/model/types.js';
import { starttlsConnection } from './capture.js';
import { renderText } from '../../src/report/text.js';

// Real PostgreSQL 15 servers and psql / openssl s_client -starttls postgres (captures/scripts/starttls.sh).

const ids = (c: ConnectionReport) => c.findings.map((f) => f.id);

describe('TLS after a PostgreSQL SSLRequest', () => {
  it('psql, TLS 1.2: the handshake read as for direct TLS, upgradedFrom postgres; the optional client certificate noted', async () => {
    const c = await starttlsConnection('postgres-tls12-success');
    expect(c.upgradedFrom).toBe('postgres');
    expect(c.upgradeRefused).toBeNull();
    expect(c.established).toBe(true);
    expect(c.version).toBe('TLS 1.2');
    expect(c.serverCertificates?.map((s) => s.subject)).toEqual(['CN=localhost,O=tlsdiag', expect.stringContaining('Intermediate')]);
    expect(c.timeline[0]!.kind).toBe('ClientHello');
    expect(ids(c)).toEqual(['client-cert-empty-accepted']);
  });

  it('psql without a certificate against clientcert=verify-full: client-cert-empty, as for direct TLS', async () => {
    const c = await starttlsConnection('postgres-tls12-client-cert-required');
    expect(c.upgradedFrom).toBe('postgres');
    expect(c.outcome).toBe('rejected');
    expect(c.findings[0]!.id).toBe('client-cert-empty');
    // The advice speaks PostgreSQL, not nginx's HTTP 400.
    expect(c.findings[0]!.explanation).toContain('PostgreSQL');
    expect(c.findings[0]!.explanation).not.toContain('HTTP 400');
    expect(c.findings[0]!.severity).toBe('error');
  });

  it('openssl s_client -starttls postgres, TLS 1.3 with a HelloRetryRequest: decrypted with the key log', async () => {
    const c = await starttlsConnection('postgres-tls13-s-client');
    expect(c.upgradedFrom).toBe('postgres');
    expect(c.decrypted).toBe(true);
    expect(c.established).toBe(true);
    const kinds = c.timeline.map((e) => `${e.from} ${e.kind}`);
    // The second ClientHello (after the HelloRetryRequest and the client's middlebox ChangeCipherSpec) is read.
    expect(kinds.filter((k) => k === 'client ClientHello')).toHaveLength(2);
    expect(kinds).toContain('server Certificate');
    expect(c.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('a server with ssl = off answers N: starttls-refused, with the command and the reply only', async () => {
    const c = await starttlsConnection('postgres-ssl-refused');
    expect(c.upgradedFrom).toBe('postgres');
    expect(c.upgradeRefused).toEqual({ command: 'SSLRequest', reply: 'N', frame: expect.any(Number) });
    expect(c.established).toBe(false);
    expect(c.version).toBeNull();
    expect(ids(c)).toEqual(['starttls-refused']);
    const text = renderText({ schemaVersion: 1, files: [], warnings: [], connections: [c] }, { all: true, color: false });
    expect(text).toContain('after postgres upgrade (refused)');
    expect(text).toContain('SSLRequest → "N"');
    // The rest of the plaintext (the startup packet psql never sent, user names …) is not kept anywhere.
    expect(JSON.stringify(c)).not.toContain('user');
  });
});
