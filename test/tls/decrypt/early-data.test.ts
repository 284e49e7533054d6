import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/analyze.js';
import type { ConnectionReport } from '../../../src/model/types.js';
import { tempDir } from '../../temp-dir.js';

// openssl s_server -early_data and two s_client runs (captures/scripts/server.sh, sc_tls13_early_data): the
// second connection resumes the first's session and sends its request as 0-RTT data, which the server accepts.
const capture = 'captures/server/tls13-early-data.pcap';
const keyLog = 'captures/server/tls13-early-data.keys.log';

async function resumed(keyLogFiles: string[]): Promise<ConnectionReport> {
  const { connections } = await analyze(capture, { keyLogFiles });
  expect(connections).toHaveLength(2);
  return connections[1]!;
}

const kinds = (c: ConnectionReport) => c.timeline.map((e) => `${e.from} ${e.kind}`);
const ids = (c: ConnectionReport) => c.findings.map((f) => f.id);

describe('TLS 1.3 0-RTT early data (real openssl capture)', () => {
  it('with the key log: early data, then EndOfEarlyData under the early secret, then Finished; established', async () => {
    const c = await resumed([keyLog]);
    expect(c.established).toBe(true);
    expect(c.decrypted).toBe(true);
    const timeline = kinds(c);
    // Sent with the ClientHello, before the server answered.
    expect(timeline.indexOf('client EarlyData')).toBeGreaterThan(timeline.indexOf('client ClientHello'));
    expect(timeline.indexOf('client EarlyData')).toBeLessThan(timeline.indexOf('server ServerHello'));
    expect(timeline.indexOf('client EndOfEarlyData')).toBeGreaterThan(timeline.indexOf('server Finished'));
    expect(timeline.indexOf('client Finished')).toBe(timeline.indexOf('client EndOfEarlyData') + 1);
    expect(ids(c)).not.toContain('keylog-mismatch');
    expect(c.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('without the early secret: the early records are skipped, not a key mismatch; the handshake still decrypts', async () => {
    const dir = tempDir('tlsdiag-early-');
    const withoutEarly = join(dir, 'keys.log');
    const lines = readFileSync(keyLog, 'utf8').split('\n');
    expect(lines.some((l) => l.startsWith('CLIENT_EARLY_TRAFFIC_SECRET '))).toBe(true);
    writeFileSync(withoutEarly, lines.filter((l) => !l.startsWith('CLIENT_EARLY_TRAFFIC_SECRET ')).join('\n'));
    const c = await resumed([withoutEarly]);
    expect(c.established).toBe(true);
    expect(ids(c)).not.toContain('keylog-mismatch');
    expect(kinds(c)).toContain('client Finished');
    expect(kinds(c)).not.toContain('client EndOfEarlyData');
  });

  it('without any key log: the early data is named, the connection established, nothing reported as failed', async () => {
    const c = await resumed([]);
    expect(c.established).toBe(true);
    expect(kinds(c)).toContain('client EarlyData');
    expect(ids(c)).toContain('tls13-encrypted-handshake');
    expect(ids(c)).not.toContain('handshake-failed-unexplained');
  });
});
