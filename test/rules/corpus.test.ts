import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { capturePath, connectionsOf, keyLogOf, metaOf, verifyDepthOf } from './capture.js';

const FOLDERS = ['mtls', 'server', 'starttls', 'keys'];

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
      // Every connection of the capture meets the scenario's expectation (0-RTT needs two, both succeed).
      for (const connection of await connectionsOf(name, { verifyDepth: verifyDepthOf(meta) })) {
        const produced = connection.findings.map((f) => f.id);
        for (const id of expected.findings ?? []) {
          expect(produced, `${name} should report ${id}`).toContain(id);
        }
        expect(connection.outcome, `${name}: outcome`).toBe(expected.outcome);
        expect(connection.established).toBe(expected.outcome === 'established');
        if (expected.outcome === 'established' && (expected.findings ?? []).length === 0) {
          expect(connection.findings.filter((f) => f.severity === 'error').map((f) => f.id)).toEqual([]);
        }
        const firstError = connection.findings.find((f) => f.severity === 'error');
        if (firstError && (expected.findings ?? []).length > 0) {
          // The root cause leads the report: the first error is one the scenario expects.
          expect(expected.findings ?? []).toContain(firstError.id);
        }
        if (expected.alert) {
          const alert = connection.alerts.find((a) => a.level === 'fatal');
          expect(alert?.description).toBe(expected.alert.description);
          // The alert is explained by a finding, not only narrated.
          const explaining = connection.findings.filter((f) => f.explainsAlertFrame === alert!.frame && f.id !== 'handshake-alert');
          expect(explaining.length, `${name}: a finding should explain the alert in frame ${alert!.frame}`).toBeGreaterThan(0);
        }
      }
    });
  }
});

describe('TLS 1.3 captures without their key log', () => {
  const tls13 = scenarios.filter((n) => n.includes('tls13') && keyLogOf(n));
  for (const name of tls13) {
    it(`${name} yields tls13-encrypted-handshake, and no certificate finding it cannot see`, async () => {
      for (const connection of await connectionsOf(name, { withKeys: false })) {
        const ids = connection.findings.map((f) => f.id);
        expect(ids).toContain('tls13-encrypted-handshake');
        expect(ids.filter((id) => id.startsWith('client-cert'))).toEqual([]);
        if (connection.outcome === 'failed') expect(ids).toContain('handshake-failed-unexplained');
        // Healthy without keys: what cannot be seen is context, not a warning.
        if (connection.outcome === 'established') expect(connection.findings.find((f) => f.id === 'tls13-encrypted-handshake')?.severity).toBe('info');
      }
    });
  }
});
