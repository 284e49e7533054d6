import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { capturePath, connectionOf, finding, ids } from './capture.js';

const ROOT_PEM = capturePath('pki/root.pem');
const OTHER_ROOT_PEM = capturePath('pki/other-root.pem');

describe('trust material (--ca, --server-ca)', () => {
  it('client-chain-untrusted names the missing intermediate as the failing link', async () => {
    const c = await connectionOf('mtls/nginx-tls12-client-leaf-without-intermediate.pcap', { clientCaFiles: [ROOT_PEM] });
    const f = finding(c, 'client-chain-untrusted');
    expect(f.evidence.fields['failure_code']).toBe('issuer-not-found');
    expect(f.evidence.fields['failure_position']).toBe(0);
    expect(f.evidence.fields['failure_issuer']).toBe('CN=tlsdiag Test Intermediate CA,O=tlsdiag');
    expect(f.evidence.frames).toEqual([8]);
  });

  it('the complete client chain validates against the root: nothing reported', async () => {
    const c = await connectionOf('mtls/nginx-tls12-client-chain-verify-depth-1.pcap', { clientCaFiles: [ROOT_PEM] });
    expect(ids(c)).not.toContain('client-chain-untrusted');
  });

  it('the same chain against another root fails at the anchor', async () => {
    const c = await connectionOf('mtls/nginx-tls12-client-chain-verify-depth-1.pcap', { clientCaFiles: [OTHER_ROOT_PEM] });
    const f = finding(c, 'client-chain-untrusted');
    expect(['issuer-not-found', 'untrusted-root']).toContain(f.evidence.fields['failure_code']);
  });

  it('server-chain-untrusted for the leaf-only server chain', async () => {
    const c = await connectionOf('mtls/nginx-tls12-server-chain-incomplete.pcap', { serverCaFiles: [ROOT_PEM] });
    const f = finding(c, 'server-chain-untrusted');
    expect(f.evidence.fields['failure_code']).toBe('issuer-not-found');
    expect(finding(c, 'server-chain-incomplete').explainsAlertFrame).toBe(8);
  });

  it('the server\'s complete chain validates against its root', async () => {
    const c = await connectionOf('mtls/nginx-tls12-server-untrusted.pcap', { serverCaFiles: [ROOT_PEM] });
    expect(ids(c)).not.toContain('server-chain-untrusted');
  });
});

describe('capture quality', () => {
  it('capture-truncated on a snaplen-96 capture, and no claim that the handshake failed', async () => {
    const result = await analyze(capturePath('formats/snaplen-96.pcap'));
    expect(result.connections.length).toBeGreaterThan(0);
    for (const c of result.connections) {
      const f = finding(c, 'capture-truncated');
      expect(Number(f.evidence.fields['gaps'])).toBeGreaterThanOrEqual(2);
      expect(f.remedy).toContain('-s 0');
      expect(ids(c)).not.toContain('handshake-failed-unexplained');
    }
  });

  it('complete captures carry no capture-quality finding', async () => {
    for (const name of ['mtls/nginx-tls12-valid-client-cert.pcap', 'mtls/s-server-tls12-no-client-cert.pcap']) {
      const c = await connectionOf(name);
      expect(ids(c).filter((id) => id.startsWith('capture-'))).toEqual([]);
    }
  });
});
