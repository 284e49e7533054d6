import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run.js';
import { tempDir } from '../temp-dir.js';

describe('tlsdiag check on a changed expectation', () => {
  const capture = 'captures/mtls/java-tls12-other-root-keystore-s-server.pcap';

  it('exits 1 and names the finding that went missing and the one that appeared', async () => {
    const base = await runCli('baseline', capture);
    expect(base.code).toBe(0);
    const file = JSON.parse(base.stdout);
    const actual: string[] = file.connections[0].findings;
    expect(actual).toContain('client-cert-empty');
    file.connections[0].findings = actual.map((id) => (id === 'client-cert-empty' ? 'client-cert-issuer-not-accepted' : id));
    const changed = join(tempDir('tlsdiag-check-'), 'changed.expect.json');
    writeFileSync(changed, JSON.stringify(file));

    const run = await runCli('check', capture, '--expect', changed);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('MISMATCH');
    expect(run.stdout).toMatch(/- finding client-cert-issuer-not-accepted +\(expected, not reported\)/);
    expect(run.stdout).toMatch(/\+ finding client-cert-empty +\(reported, not expected\)/);
  });

  it('exits 1 on a changed outcome and on a connection the capture does not have', async () => {
    const file = JSON.parse((await runCli('baseline', capture)).stdout);
    file.connections[0].established = true;
    file.connections[0].outcome = 'established';
    file.connections.push({ match: { sni: 'api.example.com' }, established: true, findings: [] });
    const changed = join(tempDir('tlsdiag-check-'), 'changed.expect.json');
    writeFileSync(changed, JSON.stringify(file));
    const run = await runCli('check', capture, '--expect', changed);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('- established: true');
    expect(run.stdout).toContain('+ established: false');
    expect(run.stdout).toContain('- outcome: established');
    expect(run.stdout).toContain('+ outcome: failed');
    expect(run.stdout).toContain('connection entry 1 sni api.example.com: no such connection');
  });

  it('exits 2 with the field named when the expectation file is malformed', async () => {
    const bad = join(tempDir('tlsdiag-check-'), 'bad.json');
    writeFileSync(bad, JSON.stringify({ connections: [{ match: { index: 'first' } }] }));
    const run = await runCli('check', capture, '--expect', bad);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('connections[0].match.index: expected a whole number');
  });

  it('resolves key logs named in the expectation relative to the expectation file', async () => {
    const dir = tempDir('tlsdiag-check-');
    const name = 'nginx-tls13-other-root-client-cert';
    copyFileSync(`captures/mtls/${name}.pcap`, join(dir, `${name}.pcap`));
    copyFileSync(`captures/mtls/${name}.keys.log`, join(dir, `${name}.keys.log`));
    const base = JSON.parse((await runCli('baseline', `captures/mtls/${name}.pcap`, '--keylog', `captures/mtls/${name}.keys.log`)).stdout);
    expect(base.connections[0].findings).toContain('client-cert-issuer-not-accepted');
    base.keyLogs = [`${name}.keys.log`];
    writeFileSync(join(dir, 'e.json'), JSON.stringify(base));
    const run = await runCli('check', join(dir, `${name}.pcap`), '--expect', join(dir, 'e.json'));
    expect(run.stdout).toContain('as expected');
    expect(run.code).toBe(0);
    // The key log's content never reaches the output.
    const secret = readFileSync(join(dir, `${name}.keys.log`), 'utf8').split('\n')[0]!.split(' ')[2]!;
    expect(run.stdout + run.stderr).not.toContain(secret);
  });
});
