import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { capturePath, connectionOf, keyLogOf, metaOf, verifyDepthOf } from './capture.js';

const FOLDERS = ['mtls', 'server'];

/**
 * Scenarios whose meta.json expects a finding the wire contradicts: the rule follows the wire. Each entry
 * names the id the meta expects and the id the wire supports; the test checks that this is still so.
 */
const META_DISAGREEMENTS: Record<string, { metaExpects: string; wireShows: string; why: string }> = {
  'server/tls13-no-client-cert.pcap': {
    metaExpects: 'client-cert-not-sent',
    wireShows: 'client-cert-empty',
    why: 'frame 8 holds a (decrypted) Certificate message with certificates length 0, as the meta description itself says',
  },
};
const scenarios = FOLDERS.flatMap((folder) =>
  readdirSync(capturePath(folder))
    .filter((f) => f.endsWith('.pcap'))
    .map((f) => `${folder}/${f}`),
).filter((name) => metaOf(name)?.expect !== undefined);

describe('every scenario capture yields the findings its meta.json expects', () => {
  it('finds scenarios', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(20);
  });
  for (const name of scenarios) {
    const meta = metaOf(name)!;
    const expected = meta.expect!;
    it(name, async () => {
      const connection = await connectionOf(name, { verifyDepth: verifyDepthOf(meta) });
      const produced = connection.findings.map((f) => f.id);
      const disagreement = META_DISAGREEMENTS[name];
      for (const id of expected.findings ?? []) {
        if (disagreement?.metaExpects === id) {
          expect(produced, `${name}: ${disagreement.why}`).toContain(disagreement.wireShows);
          expect(produced).not.toContain(id);
          continue;
        }
        expect(produced, `${name} should report ${id}`).toContain(id);
      }
      if (expected.established === true && (expected.findings ?? []).length === 0) {
        expect(connection.findings.filter((f) => f.severity === 'error').map((f) => f.id)).toEqual([]);
      }
      const firstError = connection.findings.find((f) => f.severity === 'error');
      if (firstError && (expected.findings ?? []).length > 0) {
        // The root cause leads the report: the first error is one the scenario expects.
        expect([...(expected.findings ?? []), ...(disagreement ? [disagreement.wireShows] : [])]).toContain(firstError.id);
      }
      if (expected.alert) {
        const alert = connection.alerts.find((a) => a.level === 'fatal');
        expect(alert?.description).toBe(expected.alert.description);
        // The alert is explained by a finding, not only narrated.
        const explaining = connection.findings.filter((f) => f.explainsAlertFrame === alert!.frame && f.id !== 'handshake-alert');
        expect(explaining.length, `${name}: a finding should explain the alert in frame ${alert!.frame}`).toBeGreaterThan(0);
      }
    });
  }
});

describe('TLS 1.3 captures without their key log', () => {
  const tls13 = scenarios.filter((n) => n.includes('tls13') && keyLogOf(n));
  for (const name of tls13) {
    it(`${name} yields tls13-encrypted-handshake, and no certificate finding it cannot see`, async () => {
      const connection = await connectionOf(name, { withKeys: false });
      const ids = connection.findings.map((f) => f.id);
      expect(ids).toContain('tls13-encrypted-handshake');
      expect(ids.filter((id) => id.startsWith('client-cert'))).toEqual([]);
      if (!connection.established) expect(ids).toContain('handshake-failed-unexplained');
    });
  }
});
