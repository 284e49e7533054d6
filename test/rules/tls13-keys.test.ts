import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { capturePath, connectionOf, finding, ids, keyLogOf } from './capture.js';
import { tempDir } from '../temp-dir.js';

describe('tls13-encrypted-handshake', () => {
  it('without keys, a failed TLS 1.3 mTLS handshake: the small client flight and the alert-sized answer are read', async () => {
    const c = await connectionOf('mtls/s-server-tls13-no-client-cert.pcap', { withKeys: false });
    const f = finding(c, 'tls13-encrypted-handshake');
    expect(f.severity).toBe('warning');
    expect(f.evidence.frames).toEqual([8, 9]);
    expect(Number(f.evidence.fields['client_second_flight_bytes'])).toBeLessThan(400);
    expect(f.explanation).toContain('too small to hold a certificate chain');
    expect(f.explanation).toContain('alert-sized record');
    expect(f.explanation).toContain('SSLKEYLOGFILE');
    expect(f.explanation).toContain('jSSLKeyLog');
    expect(ids(c)).toContain('handshake-failed-unexplained');
  });

  it('without keys, a client flight carrying a certificate is recognised by its size', async () => {
    const c = await connectionOf('mtls/s-server-tls13-other-root-client-cert.pcap', { withKeys: false });
    const f = finding(c, 'tls13-encrypted-handshake');
    expect(Number(f.evidence.fields['client_second_flight_bytes'])).toBeGreaterThanOrEqual(400);
    expect(f.explanation).toContain('large enough to hold a client certificate');
  });

  it('with a key log that holds no secrets for the connection, says so', async () => {
    const other = keyLogOf('mtls/nginx-tls12-valid-client-cert.pcap')!;
    const result = await analyze(capturePath('mtls/s-server-tls13-no-client-cert.pcap'), { keyLogFiles: [other] });
    const f = finding(result.connections[0]!, 'tls13-encrypted-handshake');
    expect(f.evidence.fields['key_log_given']).toBe(true);
    expect(f.explanation).toContain('holds no secrets for this connection');
  });

  it('with the right key log it is not reported and the cause is found', async () => {
    const c = await connectionOf('mtls/s-server-tls13-no-client-cert.pcap');
    expect(ids(c)).not.toContain('tls13-encrypted-handshake');
    expect(ids(c)[0]).toBe('client-cert-empty');
  });
});

describe('keylog-mismatch', () => {
  it('secrets for the right client random that do not authenticate: reported once, no secret in the output', async () => {
    const original = readFileSync(keyLogOf('mtls/s-server-tls13-no-client-cert.pcap')!, 'utf8');
    // Same labels and client random, every secret altered in its last hex digit: keys that cannot decrypt.
    const altered = original
      .split('\n')
      .map((line) => line.replace(/^(\S+ [0-9a-f]{64} )([0-9a-f]+)$/i, (_, head: string, secret: string) => head + secret.slice(0, -1) + (secret.endsWith('0') ? '1' : '0')))
      .join('\n');
    expect(altered).not.toBe(original);
    const dir = tempDir('tlsdiag-rules-');
    const file = join(dir, 'wrong.keys.log');
    writeFileSync(file, altered);
    const result = await analyze(capturePath('mtls/s-server-tls13-no-client-cert.pcap'), { keyLogFiles: [file] });
    const c = result.connections[0]!;
    const mismatches = c.findings.filter((f) => f.id === 'keylog-mismatch');
    expect(mismatches).toHaveLength(1);
    expect(mismatches[0]!.evidence.frames).toHaveLength(1);
    const json = JSON.stringify(result);
    for (const line of altered.split('\n')) {
      const secret = line.split(' ')[2];
      if (secret && secret.length >= 32) expect(json).not.toContain(secret);
    }
  });
});
