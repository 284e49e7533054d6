import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, type AnalyzeOptions } from '../../src/analyze.js';
import { analyzeOptionsFor, listCaptures, metaFor, REPO_ROOT } from '../repo.js';

/**
 * The revocation-list captures (captures/scripts/crl.sh): real nginx / openssl s_server checking a client
 * certificate against the CRLs beside each capture. tlsdiag, given the same CRL file (--crl) and CA (--ca),
 * must name the reason the server itself logged.
 */
const DIR = 'captures/crl';
/** Each scenario's meta.json: the server's own verify error, how the peers ended, the options that describe the server. */
const metas = listCaptures([DIR]).map((capture) => ({ capture: relative(REPO_ROOT, capture), ...metaFor(capture)! }));

/** OpenSSL's verify error numbers (nginx logs "(N:text)", s_server "verify error:num=N:text") → finding id. */
const FINDING_FOR_OPENSSL_ERROR: Record<number, string> = {
  3: 'crl-missing',
  8: 'crl-signature-invalid',
  11: 'crl-not-yet-valid',
  12: 'crl-expired',
  23: 'client-cert-revoked',
};

function openSslError(serverError: string): number | null {
  const m = /\((\d+):[^)]*\)|verify error:num=(\d+)/.exec(serverError);
  return m ? Number(m[1] ?? m[2]) : null;
}

/** The capture analysed with its key log and the server's CRL and CA (meta.json "options"). */
function optionsOf(meta: { capture: string }): AnalyzeOptions {
  return analyzeOptionsFor(meta.capture, { serverOptions: true });
}

describe('CRL captures: the findings agree with the reason the server logged', () => {
  it('has the scenarios of issue 15', () => {
    expect(metas.map((m) => m.scenario)).toEqual(
      expect.arrayContaining([
        'nginx-tls12-crl-revoked',
        'nginx-tls12-crl-not-yet-valid',
        'nginx-tls12-crl-expired',
        'nginx-tls12-crl-root-only',
        'nginx-tls12-crl-signature-invalid',
        'nginx-tls12-crl-good',
        's-server-tls12-crl-revoked',
      ]),
    );
  });

  for (const meta of metas) {
    it(`${meta.scenario}: ${meta.serverError || 'no verify error'}`, async () => {
      const { connections } = await analyze(`${DIR}/${meta.scenario}.pcap`, optionsOf(meta));
      expect(connections).toHaveLength(1);
      const c = connections[0]!;
      expect(c.outcome).toBe(meta.outcome);
      expect(c.established).toBe(meta.outcome === 'established');
      const errors = c.findings.filter((f) => f.severity === 'error').map((f) => f.id);
      const code = openSslError(meta.serverError!);
      if (meta.outcome === 'established') {
        expect(code).toBeNull();
        expect(errors).toEqual([]);
        return;
      }
      expect(code).not.toBeNull();
      const id = FINDING_FOR_OPENSSL_ERROR[code!];
      expect(id, `a finding for OpenSSL verify error ${code}`).toBeDefined();
      // The server's reason is the first (root-cause) error, and no other CRL finding contradicts it.
      expect(errors[0]).toBe(id);
      const finding = c.findings.find((f) => f.id === id)!;
      expect(finding.evidence.fields['side']).toBe('client');
      if (meta.outcome === 'failed') expect(finding.explainsAlertFrame).toBe(c.alerts.find((a) => a.from === 'server')!.frame);
      else expect(finding.evidence.fields['http_status_line'] ?? finding.explanation).toMatch(/400 Bad Request/);
    });
  }

  it('without --crl the nginx rejection stays unexplained, with the CRL named as a possible cause', async () => {
    const { connections } = await analyze(`${DIR}/nginx-tls12-crl-revoked.pcap`, { keyLogFiles: [`${DIR}/nginx-tls12-crl-revoked.keys.log`] });
    expect(connections[0]!.findings.map((f) => f.id)).toContain('client-cert-rejected-after-handshake');
  });

  it('a CRL that revokes the certificate of a connection the server accepted is a warning, not an error', async () => {
    const { connections } = await analyze(`${DIR}/nginx-tls12-crl-good.pcap`, {
      crlFiles: [`${DIR}/nginx-tls12-crl-root-only.crl.pem`],
      clientCaFiles: [`${DIR}/ca/root.pem`],
      keyLogFiles: [`${DIR}/nginx-tls12-crl-good.keys.log`],
    });
    const missing = connections[0]!.findings.find((f) => f.id === 'crl-missing');
    expect(missing?.severity).toBe('warning');
    expect(connections[0]!.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('evidence of a revoked certificate: serial, reason, revocation date and the CRL times', async () => {
    const meta = metas.find((m) => m.scenario === 'nginx-tls12-crl-revoked')!;
    const { connections } = await analyze(`${DIR}/${meta.scenario}.pcap`, optionsOf(meta));
    const f = connections[0]!.findings.find((x) => x.id === 'client-cert-revoked')!;
    expect(f.evidence.fields).toMatchObject({
      serial_number: '1101',
      revocation_reason: 'keyCompromise',
      crl_issuer: 'CN=tlsdiag Test Root CA,O=tlsdiag',
      crl_file: `${DIR}/nginx-tls12-crl-revoked.crl.pem`,
    });
    expect(Date.parse(f.evidence.fields['this_update'] as string)).toBeLessThanOrEqual(Date.parse(f.evidence.fields['packet_time'] as string));
  });

  it('names the skew of a CRL dated in the future', async () => {
    const meta = metas.find((m) => m.scenario === 'nginx-tls12-crl-not-yet-valid')!;
    const { connections } = await analyze(`${DIR}/${meta.scenario}.pcap`, optionsOf(meta));
    const f = connections[0]!.findings.find((x) => x.id === 'crl-not-yet-valid')!;
    const skew = f.evidence.fields['skew_seconds'] as number;
    expect(skew).toBeGreaterThan(7100);
    expect(skew).toBeLessThan(7300);
    expect(f.explanation).toContain('2 hours after');
  });

  it('--server-crl checks the server chain as the client would: a CRL naming the intermediate but signed by another key', async () => {
    // captures/crl's CAs carry the names of captures/pki's with other keys: to the mTLS capture's server chain
    // (issued by captures/pki's intermediate) that intermediate's CRL from captures/crl is signed by a stranger.
    const { connections } = await analyze('captures/mtls/nginx-tls12-valid-client-cert.pcap', {
      serverCrlFiles: [`${DIR}/nginx-tls12-crl-good.crl.pem`],
      keyLogFiles: ['captures/mtls/nginx-tls12-valid-client-cert.keys.log'],
    });
    const f = connections[0]!.findings.find((x) => x.id === 'crl-signature-invalid')!;
    expect(f.evidence.fields).toMatchObject({ side: 'server', crl_issuer: 'CN=tlsdiag Test Intermediate CA,O=tlsdiag', crl_needed_for: ['CN=localhost,O=tlsdiag'] });
    // The client completed the handshake: it does not check with this CRL.
    expect(f.severity).toBe('warning');
  });

  it('the revocation view lists what was checked, against what, as of when: CRLs and stapled OCSP alike', async () => {
    const meta = metas.find((m) => m.scenario === 'nginx-tls12-crl-revoked')!;
    const c = (await analyze(`${DIR}/${meta.scenario}.pcap`, optionsOf(meta))).connections[0]!;
    const asOf = c.timeline.find((e) => e.from === 'client' && e.kind === 'Certificate')!.time;
    expect(c.revocation).toEqual([
      expect.objectContaining({ side: 'client', method: 'crl', subject: 'CN=tlsdiag Test Client,O=tlsdiag', serialNumber: '1101', status: 'revoked', revocationReason: 'keyCompromise', asOf }),
      expect.objectContaining({ side: 'client', method: 'crl', subject: 'CN=tlsdiag Test Root CA,O=tlsdiag', status: 'good', asOf }),
    ]);
    expect(c.revocation[0]!.against).toBe(`CRL of CN=tlsdiag Test Root CA,O=tlsdiag (${DIR}/nginx-tls12-crl-revoked.crl.pem)`);
    const missing = (await analyze(`${DIR}/nginx-tls12-crl-root-only.pcap`, { crlFiles: [`${DIR}/nginx-tls12-crl-root-only.crl.pem`], keyLogFiles: [`${DIR}/nginx-tls12-crl-root-only.keys.log`] })).connections[0]!;
    expect(missing.revocation.map((r) => [r.subject, r.status, r.against])).toEqual([
      ['CN=tlsdiag Test Client via Intermediate,O=tlsdiag', 'crl-missing', 'no CRL of CN=tlsdiag Test Intermediate CA,O=tlsdiag'],
      ['CN=tlsdiag Test Intermediate CA,O=tlsdiag', 'good', `CRL of CN=tlsdiag Test Root CA,O=tlsdiag (${DIR}/nginx-tls12-crl-root-only.crl.pem)`],
    ]);
    const ocsp = (await analyze('captures/server/ocsp-stapled-revoked.pcap')).connections[0]!;
    expect(ocsp.revocation).toEqual([expect.objectContaining({ side: 'server', method: 'ocsp-stapled', status: 'revoked', subject: 'CN=localhost,O=tlsdiag' })]);
    const none = (await analyze(`${DIR}/nginx-tls12-crl-good.pcap`)).connections[0]!;
    expect(none.revocation).toEqual([]);
  });

  it('a CRL file that is not a CRL is an error that names it, never "no CRL"', async () => {
    await expect(analyze(`${DIR}/nginx-tls12-crl-good.pcap`, { crlFiles: [`${DIR}/nginx-tls12-crl-good.meta.json`] })).rejects.toThrow(/meta\.json/);
  });
});
