import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SYSTEM_TRUST_PATHS } from '../../src/x509/trust-store.js';
import { runCli } from '../cli/run.js';

const DIR = 'captures/crl';

describe('--crl, --server-crl and --server-ca system|none on the command line', () => {
  it('--crl (with --ca) names the reason nginx logged, and exits 1', async () => {
    const run = await runCli('--json', '--quiet', '--crl', `${DIR}/nginx-tls12-crl-expired.crl.pem`, '--ca', `${DIR}/ca/root.pem`, '--keylog', `${DIR}/nginx-tls12-crl-expired.keys.log`, `${DIR}/nginx-tls12-crl-expired.pcap`);
    expect(run.code).toBe(1);
    const c = JSON.parse(run.stdout).connections[0];
    expect(c.findings[0].id).toBe('crl-expired');
    expect(c.revocation.map((r: { status: string }) => r.status)).toEqual(['crl-expired', 'crl-expired']);
  });

  it('a --crl path that cannot be read is exit 2 with its name', async () => {
    const run = await runCli('--quiet', '--crl', `${DIR}/no-such.crl.pem`, `${DIR}/nginx-tls12-crl-expired.pcap`);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no-such.crl.pem');
  });

  it('--server-ca none turns server-chain judging off; baseline keeps --crl for check', async () => {
    const off = await runCli('--json', '--quiet', '--server-ca', 'none', 'captures/mtls/nginx-tls12-valid-client-cert.pcap');
    expect(JSON.parse(off.stdout).connections[0].serverChainStatus).toBeNull();
    const base = await runCli('baseline', '--quiet', '--crl', `${DIR}/nginx-tls12-crl-expired.crl.pem`, `${DIR}/nginx-tls12-crl-expired.pcap`);
    expect(JSON.parse(base.stdout).options).toEqual({ crl: [`${DIR}/nginx-tls12-crl-expired.crl.pem`] });
  });

  it.runIf(SYSTEM_TRUST_PATHS.some((p) => existsSync(p)))('--server-ca system judges against the OS store', async () => {
    const run = await runCli('--json', '--quiet', '--all', '--server-ca', 'system', 'captures/mtls/nginx-tls12-valid-client-cert.pcap');
    const c = JSON.parse(run.stdout).connections[0];
    expect(c.serverChainStatus).toBe('unable-to-get-issuer');
    expect(c.findings.find((f: { id: string }) => f.id === 'server-cert-untrusted').evidence.fields.trust_store).toBe("the operating system's trust store");
  });
});
