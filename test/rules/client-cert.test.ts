import { describe, expect, it } from 'vitest';
import { capturePath, connectionOf, finding, ids } from './capture.js';

describe('client-cert-empty', () => {
  it('Java against s_server: empty Certificate, the server alert is explained, the CA list and fix lead', async () => {
    const c = await connectionOf('mtls/java-tls12-other-root-keystore-s-server.pcap');
    const f = finding(c, 'client-cert-empty');
    expect(f.severity).toBe('error');
    expect(c.findings[0]!.id).toBe('client-cert-empty');
    expect(f.evidence.frames).toEqual([6, 8, 9]);
    expect(f.evidence.fields['certificates_length']).toBe(0);
    expect(f.evidence.fields['acceptable_ca_names']).toEqual(['CN=tlsdiag Test Root CA,O=tlsdiag']);
    expect(f.explainsAlertFrame).toBe(9);
    expect(f.explanation).toMatch(/^The server asked for a client certificate in frame 6, accepting certificates issued by: CN=tlsdiag Test Root CA/);
    expect(f.explanation).toContain('handshake_failure (40) in frame 9');
    expect(f.remedy).toMatch(/^Give the client a certificate issued by CN=tlsdiag Test Root CA,O=tlsdiag \(Java: a keystore/);
    expect(ids(c)).not.toContain('handshake-failed-unexplained');
  });

  it('Java against nginx without keys: the handshake completes, the HTTP 400 is inside the encrypted stream', async () => {
    const c = await connectionOf('mtls/java-tls12-other-root-keystore-nginx.pcap');
    // The handshake completed; nginx answered once and hung up: a refusal, not a healthy connection.
    expect(c.outcome).toBe('rejected');
    expect(c.established).toBe(false);
    const f = finding(c, 'client-cert-empty');
    expect(f.explainsAlertFrame).toBeUndefined();
    expect(f.evidence.frames).toEqual([6, 8, 19]);
    expect(f.explanation).toContain('No required SSL certificate was sent');
  });

  it('nginx with keys: cites the decrypted HTTP status line', async () => {
    const c = await connectionOf('mtls/nginx-tls12-no-client-cert.pcap');
    const f = finding(c, 'client-cert-empty');
    expect(f.evidence.fields['http_status_line']).toBe('HTTP/1.1 400 Bad Request');
    expect(f.evidence.frames).toContain(11);
    expect(f.explanation).toContain('"400 No required SSL certificate was sent"');
  });

  it('TLS 1.3 with keys: the encrypted certificate_required alert is explained', async () => {
    const c = await connectionOf('mtls/s-server-tls13-no-client-cert.pcap');
    const f = finding(c, 'client-cert-empty');
    expect(f.explainsAlertFrame).toBe(9);
    expect(f.explanation).toContain('certificate_required (116)');
  });
});

describe('client-cert-issuer-not-accepted', () => {
  it('Node closes without an alert: the FIN is the evidence', async () => {
    const c = await connectionOf('mtls/node-tls12-other-root-client-cert.pcap');
    const f = finding(c, 'client-cert-issuer-not-accepted');
    expect(f.severity).toBe('error');
    expect(f.evidence.frames).toEqual([6, 8, 9]);
    expect(f.evidence.fields['leaf_issuer']).toBe('CN=Other Root CA,O=Other Org');
    expect(f.explanation).toContain('without sending any alert');
    expect(ids(c)).not.toContain('handshake-failed-unexplained');
  });

  it('s_server: unknown_ca explained', async () => {
    const c = await connectionOf('mtls/s-server-tls12-other-root-client-cert.pcap');
    expect(finding(c, 'client-cert-issuer-not-accepted').explainsAlertFrame).toBe(9);
  });

  it('a client certificate from the listed root is not reported', async () => {
    const c = await connectionOf('mtls/nginx-tls12-valid-client-cert.pcap');
    expect(ids(c).filter((id) => id.startsWith('client-'))).toEqual([]);
  });
});

describe('client-chain-incomplete', () => {
  it('openssl -cert without -cert_chain: names the intermediate, found in the server chain, and the accepted root', async () => {
    const c = await connectionOf('mtls/nginx-tls12-client-leaf-without-intermediate.pcap');
    const f = finding(c, 'client-chain-incomplete');
    expect(ids(c)).not.toContain('client-cert-issuer-not-accepted');
    expect(f.evidence.fields['missing_intermediate']).toBe('CN=tlsdiag Test Intermediate CA,O=tlsdiag');
    expect(f.evidence.fields['accepted_root']).toBe('CN=tlsdiag Test Root CA,O=tlsdiag');
    expect(f.evidence.fields['http_status_line']).toBe('HTTP/1.1 400 Bad Request');
    expect(f.evidence.frames).toEqual([6, 8, 11]);
    expect(f.remedy).toContain('-cert_chain');
  });

  it('the same chain sent whole is not reported', async () => {
    const c = await connectionOf('mtls/nginx-tls12-client-chain-verify-depth-1.pcap');
    expect(ids(c)).not.toContain('client-chain-incomplete');
  });
});

describe('client certificate contents', () => {
  it('client-cert-eku-missing-clientauth', async () => {
    const c = await connectionOf('mtls/nginx-tls12-client-cert-without-clientauth-eku.pcap');
    const f = finding(c, 'client-cert-eku-missing-clientauth');
    expect(f.evidence.fields['extended_key_usage']).toEqual(['serverAuth']);
    expect(f.evidence.frames).toEqual([8, 11]);
    expect(ids(c)).not.toContain('client-cert-keyusage-no-signature');
  });

  it('client-cert-expired against the packet time, explaining certificate_expired', async () => {
    const c = await connectionOf('mtls/s-server-tls12-expired-client-cert.pcap');
    const f = finding(c, 'client-cert-expired');
    expect(f.evidence.fields['not_after']).toBe('2021-01-01T00:00:00.000Z');
    expect(String(f.evidence.fields['packet_time'])).toMatch(/^2026-/);
    expect(f.explainsAlertFrame).toBe(9);
    expect(f.explanation).not.toContain('clock skew');
  });

  it('client-cert-not-yet-valid, explaining bad_certificate', async () => {
    const c = await connectionOf('mtls/s-server-tls12-not-yet-valid-client-cert.pcap');
    const f = finding(c, 'client-cert-not-yet-valid');
    expect(f.evidence.fields['not_before']).toBe('2035-01-01T00:00:00.000Z');
    expect(f.explainsAlertFrame).toBe(9);
    expect(f.explanation).toContain('bad_certificate (42)');
  });
});

describe('verify-depth-exceeded', () => {
  it('depth 0 and one intermediate: exceeded', async () => {
    const c = await connectionOf('mtls/nginx-tls12-client-chain-verify-depth-0.pcap', { verifyDepth: 0 });
    const f = finding(c, 'verify-depth-exceeded');
    expect(f.evidence.fields['intermediates_needed']).toBe(1);
    expect(f.evidence.fields['verify_depth']).toBe(0);
    expect(f.remedy).toContain('ssl_verify_depth 1');
  });

  it('depth 1 (nginx default) and one intermediate: accepted, as OpenSSL 3 counts intermediates only', async () => {
    const c = await connectionOf('mtls/nginx-tls12-client-chain-verify-depth-1.pcap', { verifyDepth: 1 });
    expect(ids(c)).not.toContain('verify-depth-exceeded');
  });

  it('without --verify-depth the depth is not claimed, but the HTTP 400 after a clean handshake is not silent', async () => {
    const c = await connectionOf('mtls/nginx-tls12-client-chain-verify-depth-0.pcap');
    expect(ids(c)).not.toContain('verify-depth-exceeded');
    const f = finding(c, 'client-cert-rejected-after-handshake');
    expect(f.evidence.frames).toEqual([8, 11]);
    expect(f.explanation).toContain('a verify depth below 1');
  });

  it('a request answered 200 gets no rejection finding', async () => {
    // The client (curl --cacert) trusts the test root: judged against it rather than the default Mozilla store.
    const c = await connectionOf('mtls/nginx-tls12-client-chain-verify-depth-1.pcap', { serverCaFiles: [capturePath('pki/root.pem')] });
    expect(ids(c)).toEqual([]);
  });
});

describe('client-cert-keyusage-no-signature', () => {
  it('a keyEncipherment-only client certificate, rejected by s_server with unsupported_certificate (recorded by test/rules/fixtures/record.sh)', async () => {
    const { analyze } = await import('../../src/analyze.js');
    const { join } = await import('node:path');
    const result = await analyze(join(import.meta.dirname, 'fixtures', 'client-keyusage-keyencipherment.pcap'));
    const c = result.connections[0]!;
    const f = finding(c, 'client-cert-keyusage-no-signature');
    expect(f.severity).toBe('error');
    expect(f.evidence.fields['key_usage']).toEqual(['keyEncipherment']);
    expect(f.evidence.frames).toEqual([8, 9]);
    expect(f.explainsAlertFrame).toBe(9);
    expect(c.findings[0]!.id).toBe('client-cert-keyusage-no-signature');
    expect(ids(c)).not.toContain('client-cert-eku-missing-clientauth');
  });

  it('an EC client certificate the RSA-only CertificateRequest refuses: OpenSSL sends it empty; --cert shows why (recorded by test/rules/fixtures/record.sh)', async () => {
    const { analyze } = await import('../../src/analyze.js');
    const { join } = await import('node:path');
    const capture = join(import.meta.dirname, 'fixtures', 'client-ec-rsa-only-request.pcap');
    const withCert = (await analyze(capture, { extraClientCertFiles: [join(import.meta.dirname, 'fixtures', 'client-ec.pem')] })).connections[0]!;
    const f = finding(withCert, 'client-cert-type-not-requested');
    expect(withCert.findings[0]!.id).toBe('client-cert-type-not-requested');
    expect(f.evidence.fields['key_algorithm']).toBe('EC');
    expect(f.evidence.fields['certificate_types']).toEqual(['rsa_sign']);
    expect(f.evidence.fields['certificates_length']).toBe(0);
    expect(f.explainsAlertFrame).toBe(withCert.alerts.find((a) => a.level === 'fatal')!.frame);
    expect(ids(withCert)).toContain('client-cert-empty');
    expect(finding(withCert, 'client-cert-empty').explanation).toContain('client-cert-type-not-requested');
    // Without the certificate the capture shows only the empty answer.
    const alone = (await analyze(capture)).connections[0]!;
    expect(alone.findings[0]!.id).toBe('client-cert-empty');
    expect(ids(alone)).not.toContain('client-cert-type-not-requested');
  });
});
