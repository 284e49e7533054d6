import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { analyzeOptionsFor, DEFAULT_FOLDERS, keyLogFor, listCaptures, metaFor, REPO_ROOT } from '../repo.js';
import { connectionsOf } from './capture.js';

/**
 * The recorded scenarios against what their recording saw on the wire (meta.json "wire", checked there with
 * tshark): the report names the same fatal alert, explains it with a finding, and agrees on whether the
 * handshake completed and whether the client's Certificate was empty. Each is analysed with what the server
 * was configured with (meta.json "options"), as a user who knows it would.
 */
const recorded = listCaptures(DEFAULT_FOLDERS).flatMap((capture) => {
  const wire = metaFor(capture)?.wire;
  return wire ? [{ name: relative(REPO_ROOT, capture), capture, wire }] : [];
});

describe('every recorded scenario: the report agrees with the wire its recording checked', () => {
  it('finds scenarios', () => {
    expect(recorded.length).toBeGreaterThanOrEqual(80);
  });
  it.each(recorded)('$name', async ({ capture, wire }) => {
    const { connections } = await analyze(capture, analyzeOptionsFor(capture, { serverOptions: true }));
    expect(connections.length).toBeGreaterThan(0);
    // Every connection (0-RTT needs two, both alike).
    for (const connection of connections) {
      const fatal = connection.alerts.filter((a) => a.level === 'fatal');
      if (wire.alert === null) expect(fatal).toEqual([]);
      else {
        expect({ from: fatal[0]?.from, description: fatal[0]?.description }).toEqual(wire.alert);
        // The alert is explained by a finding, not only narrated.
        const explaining = connection.findings.filter((f) => f.explainsAlertFrame === fatal[0]!.frame && f.id !== 'handshake-alert');
        expect(explaining.map((f) => f.id), `a finding should explain the alert in frame ${fatal[0]!.frame}`).not.toEqual([]);
      }
      // A TLS 1.3 server that refuses the client's certificate after its Finished: rejected, yet not completed.
      if (wire.handshakeCompleted) expect(['established', 'rejected']).toContain(connection.outcome);
      else expect(connection.outcome).not.toBe('established');
      if (wire.clientCertificate === 'empty') expect(connection.clientCertificates).toEqual([]);
      if (wire.clientCertificate === 'sent') expect(connection.clientCertificates?.length).toBeGreaterThan(0);
    }
  });
});

describe('TLS 1.3 captures without their key log', () => {
  const tls13 = recorded
    .filter(({ capture }) => /\/(mtls|server|starttls|keys)\/[^/]*tls13[^/]*\.pcap$/.test(capture) && keyLogFor(capture) !== null)
    .map(({ name }) => name.replace(/^captures\//, ''));
  it('finds them', () => {
    expect(tls13.length).toBeGreaterThanOrEqual(5);
  });
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
