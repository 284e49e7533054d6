import { describe, expect, it } from 'vitest';
import { capturePath, connectionOf, finding, ids } from './capture.js';

describe('server chain', () => {
  it('server-chain-incomplete: the leaf alone, the missing intermediate named, unknown_ca explained', async () => {
    const c = await connectionOf('mtls/nginx-tls12-server-chain-incomplete.pcap');
    const f = finding(c, 'server-chain-incomplete');
    expect(c.findings[0]!.id).toBe('server-chain-incomplete');
    expect(f.evidence.frames).toEqual([6, 8]);
    expect(f.evidence.fields['missing_issuer']).toBe('CN=tlsdiag Test Intermediate CA,O=tlsdiag');
    expect(f.evidence.fields['aia_ca_issuers']).toEqual([]);
    expect(f.explainsAlertFrame).toBe(8);
    expect(ids(c)).not.toContain('server-cert-untrusted');
  });

  it('server-cert-untrusted: a complete chain to a root the client does not trust', async () => {
    const c = await connectionOf('mtls/nginx-tls12-server-untrusted.pcap');
    const f = finding(c, 'server-cert-untrusted');
    expect(f.evidence.fields['chain_root']).toBe('CN=tlsdiag Test Root CA,O=tlsdiag');
    expect(f.explainsAlertFrame).toBe(8);
    expect(ids(c)).not.toContain('server-chain-incomplete');
  });

  it('a leaf + intermediate chain accepted by the client is neither incomplete nor untrusted', async () => {
    // Against what the client trusted (curl --cacert root.pem); test/x509/trust-store.test.ts covers the default store.
    const c = await connectionOf('mtls/nginx-tls12-valid-client-cert.pcap', { serverCaFiles: [capturePath('pki/root.pem')] });
    expect(ids(c)).toEqual([]);
  });

  it('server-chain-includes-root (info) on an ordered leaf, intermediate, root chain', async () => {
    const c = await connectionOf('server/server-chain-includes-root.pcap', { serverCaFiles: [capturePath('pki/root.pem')] });
    expect(finding(c, 'server-chain-includes-root').severity).toBe('info');
    expect(finding(c, 'server-chain-includes-root').evidence.fields['roots']).toEqual(['CN=tlsdiag Test Root CA,O=tlsdiag']);
    expect(ids(c)).toEqual(['server-chain-includes-root']);
  });

  it('server-chain-misordered: the first break is named', async () => {
    const c = await connectionOf('server/server-chain-misordered.pcap');
    const f = finding(c, 'server-chain-misordered');
    expect(f.evidence.fields['first_break']).toBe(0);
    expect(f.severity).toBe('warning');
    expect(ids(c).filter((id) => c.findings.find((x) => x.id === id)!.severity === 'error')).toEqual([]);
  });
});

describe('server certificate contents', () => {
  it('server-cert-expired explains certificate_expired', async () => {
    const c = await connectionOf('server/server-cert-expired.pcap');
    const f = finding(c, 'server-cert-expired');
    expect(f.evidence.fields['not_after']).toBe('2021-01-01T00:00:00.000Z');
    expect(f.explainsAlertFrame).toBe(8);
    expect(ids(c)).not.toContain('handshake-failed-unexplained');
  });

  it('server-cert-not-yet-valid explains OpenSSL\'s bad_certificate', async () => {
    const c = await connectionOf('server/server-cert-not-yet-valid.pcap');
    const f = finding(c, 'server-cert-not-yet-valid');
    expect(f.explainsAlertFrame).toBe(8);
    expect(f.explanation).toContain('bad_certificate');
    expect(ids(c)).not.toContain('server-cert-untrusted');
  });

  it('server-cert-eku-missing-serverauth explains unsupported_certificate', async () => {
    const c = await connectionOf('server/server-cert-eku-clientauth-only.pcap');
    const f = finding(c, 'server-cert-eku-missing-serverauth');
    expect(f.evidence.fields['extended_key_usage']).toEqual(['clientAuth']);
    expect(f.explainsAlertFrame).toBe(8);
  });

  it('server-cert-self-signed is the cause of unknown_ca; untrusted is not said twice', async () => {
    const c = await connectionOf('server/server-cert-self-signed.pcap');
    const f = finding(c, 'server-cert-self-signed');
    expect(f.severity).toBe('error');
    expect(f.explainsAlertFrame).toBe(8);
    expect(c.findings[0]!.id).toBe('server-cert-self-signed');
    expect(ids(c)).not.toContain('server-cert-untrusted');
  });

  it('server-cert-name-mismatch: curl closes without an alert after the handshake', async () => {
    const c = await connectionOf('server/server-name-mismatch-curl.pcap');
    const f = finding(c, 'server-cert-name-mismatch');
    expect(f.evidence.fields['sni']).toBe('localhost');
    expect(f.evidence.fields['certificate_names']).toEqual(['DNS:www.example.test']);
    expect(f.explainsAlertFrame).toBeUndefined();
  });

  it('server-cert-name-mismatch: s_client -verify_hostname sends bad_certificate', async () => {
    const c = await connectionOf('server/server-name-mismatch-s-client.pcap');
    expect(finding(c, 'server-cert-name-mismatch').explainsAlertFrame).toBe(8);
    expect(ids(c)).not.toContain('server-cert-untrusted');
  });

  it('weak-key explains bad_certificate from a SECLEVEL 2 client; untrusted is not claimed', async () => {
    const c = await connectionOf('server/server-weak-key.pcap');
    const f = finding(c, 'weak-key');
    expect(f.evidence.fields['keys']).toEqual(['RSA 1024 bits (below 2048)']);
    expect(f.severity).toBe('error');
    expect(f.evidence.fields['side']).toBe('server');
    expect(f.explainsAlertFrame).toBe(8);
    expect(ids(c)).not.toContain('server-cert-untrusted');
    expect(ids(c)).not.toContain('handshake-failed-unexplained');
  });
});

describe('stapled OCSP', () => {
  it('ocsp-stapled-revoked with time and reason', async () => {
    const c = await connectionOf('server/ocsp-stapled-revoked.pcap');
    const f = finding(c, 'ocsp-stapled-revoked');
    expect(f.evidence.frames).toEqual([6]);
    expect(f.evidence.fields['revocation_reason']).toBe('keyCompromise');
    expect(f.evidence.fields['revocation_time']).toBe('2025-11-01T00:00:00.000Z');
    expect(f.explanation).toContain('curl --cert-status');
  });

  it('ocsp-stapled-unknown', async () => {
    const c = await connectionOf('server/ocsp-stapled-unknown.pcap');
    expect(finding(c, 'ocsp-stapled-unknown').evidence.fields['cert_status']).toBe('unknown');
  });

  it('a good staple yields nothing', async () => {
    const c = await connectionOf('server/ocsp-stapled-good.pcap');
    expect(ids(c).filter((id) => id.startsWith('ocsp'))).toEqual([]);
  });
});

describe('protocol', () => {
  it('no-shared-cipher: handshake_failure right after ClientHello', async () => {
    const c = await connectionOf('server/no-shared-cipher.pcap');
    const f = finding(c, 'no-shared-cipher');
    expect(f.evidence.frames).toEqual([4, 6]);
    expect(f.explainsAlertFrame).toBe(6);
    expect(ids(c)).not.toContain('handshake-failed-unexplained');
  });

  it('protocol-version-mismatch', async () => {
    const c = await connectionOf('server/protocol-version-mismatch.pcap');
    const f = finding(c, 'protocol-version-mismatch');
    expect(f.evidence.fields['offered_versions']).toEqual(['TLS 1.3']);
    expect(f.explainsAlertFrame).toBe(6);
  });

  it('deprecated-protocol-version for TLS 1.0 and 1.1, not for 1.2', async () => {
    expect(finding(await connectionOf('server/tls10-success.pcap'), 'deprecated-protocol-version').evidence.fields['version']).toBe('TLS 1.0');
    expect(finding(await connectionOf('server/tls11-success.pcap'), 'deprecated-protocol-version').evidence.fields['version']).toBe('TLS 1.1');
    expect(ids(await connectionOf('server/ocsp-stapled-good.pcap'))).not.toContain('deprecated-protocol-version');
  });
});
