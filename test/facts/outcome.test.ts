import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { OUTCOMES } from '../../src/facts/types.js';
import type { ConnectionReport, Finding } from '../../src/model/types.js';
import { catalogEntry } from '../../src/rules/catalog.js';
import { pickRootCause } from '../../src/rules/root-cause.js';
import { cipherSuiteWeakness } from '../../src/tls/registry/cipher-suites.js';
import { tempDir } from '../temp-dir.js';
import { capturePath, connectionOf } from '../rules/capture.js';
import { analyzeOptionsFor, REPO_ROOT } from '../repo.js';

const JA4 = join(REPO_ROOT, '..', 'shared', 'conformance', 'ja4', 'captures');

function capturesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return capturesUnder(path);
    return /\.(pcap|pcapng)(\.gz)?$/.test(name) ? [path] : [];
  });
}

/** Peers that exchanged application data both ways without a fatal alert. */
function healthyOnTheWire(c: ConnectionReport): boolean {
  const bothWays = c.applicationBytes.client > 0 && c.applicationBytes.server > 0;
  return bothWays && !c.alerts.some((a) => a.level === 'fatal');
}

const ALL = [...capturesUnder(join(REPO_ROOT, 'captures')), ...capturesUnder(JA4)];

describe('an outcome per connection', () => {
  it('finds the corpus and the third-party set', () => {
    expect(ALL.length).toBeGreaterThan(80);
    expect(ALL.some((p) => p.startsWith(JA4))).toBe(true);
  });

  const WORK = join(REPO_ROOT, '..');
  it.each(ALL.map((p) => [relative(WORK, p)]))(
    '%s: every connection has an outcome; data both ways without a fatal alert carries no error unless a certificate check failed',
    async (name) => {
      const path = join(WORK, name);
      const result = await analyze(path, analyzeOptionsFor(path));
      for (const c of result.connections) {
        expect(OUTCOMES).toContain(c.outcome);
        expect(c.established).toBe(c.outcome === 'established');
        if (c.outcome === 'incomplete' || c.outcome === 'not-understood') expect(c.outcomeDetail).not.toBeNull();
        const errors = c.findings.filter((f) => f.severity === 'error');
        if (healthyOnTheWire(c) && errors.length > 0) {
          // The only healthy-looking connections allowed an error: a refusal after a failed certificate check.
          expect(c.outcome, `${name} #${c.index}: ${errors.map((f) => f.id).join(', ')}`).toBe('rejected');
          for (const f of errors) expect(['client-certificate', 'server-certificate']).toContain(catalogEntry(f.id).about);
        }
        if (c.outcome === 'established') expect(errors).toEqual([]);
        // One root cause: at most one error on a failed or rejected connection.
        expect(errors.length, `${name} #${c.index}: ${errors.map((f) => f.id).join(', ')}`).toBeLessThanOrEqual(1);
        // No finding twice for the same thing.
        const ids = c.findings.filter((f) => f.id !== 'handshake-alert').map((f) => f.id);
        expect(new Set(ids).size, `${name} #${c.index}: ${ids.join(', ')}`).toBe(ids.length);
      }
    },
  );
});

describe('outcomes of real captures', () => {
  it('nginx answering HTTP 400 to an empty client Certificate: rejected, with the cause an error', async () => {
    const c = await connectionOf('mtls/nginx-tls12-no-client-cert.pcap');
    expect(c.outcome).toBe('rejected');
    expect(c.findings[0]?.id).toBe('client-cert-empty');
    expect(c.findings[0]?.severity).toBe('error');
  });

  it('a TLS 1.3 mTLS success without its key log: established, the encrypted handshake is info only', async () => {
    const c = await connectionOf('mtls/nginx-tls13-valid-client-cert.pcap', { withKeys: false });
    expect(c.outcome).toBe('established');
    expect(c.findings.map((f) => [f.id, f.severity])).toEqual([['tls13-encrypted-handshake', 'info']]);
  });

  it('an OpenSSL server aborting on a missing client certificate: failed', async () => {
    const c = await connectionOf('mtls/s-server-tls12-no-client-cert.pcap');
    expect(c.outcome).toBe('failed');
    expect(c.findings.filter((f) => f.severity === 'error').map((f) => f.id)).toEqual(['client-cert-empty']);
  });

  it('a STARTTLS refusal: upgrade-refused', async () => {
    const c = await connectionOf('starttls/smtp-starttls-454.pcap');
    expect(c.outcome).toBe('upgrade-refused');
  });

  it('a MariaDB login that went on without a client certificate: established, the empty Certificate is info', async () => {
    const c = await connectionOf('starttls/mysql-ssl-tls13.pcap');
    expect(c.outcome).toBe('established');
    expect(c.carriedProtocol).toBe('mysql');
    expect(c.findings.find((f) => f.id === 'client-cert-empty-accepted')?.severity).toBe('info');
    expect(c.findings.filter((f) => f.severity !== 'info')).toEqual([]);
  });

  it('curl hanging up on a server certificate for another name: rejected by the client', async () => {
    const c = await connectionOf('server/server-name-mismatch-curl.pcap');
    expect(c.outcome).toBe('rejected');
    expect(c.findings[0]?.id).toBe('server-cert-name-mismatch');
  });

  it('a weak server key refused with bad_certificate: the only cause, an error', async () => {
    const c = await connectionOf('server/server-weak-key.pcap');
    expect(c.outcome).toBe('failed');
    expect(c.findings.filter((f) => f.severity === 'error').map((f) => f.id)).toEqual(['weak-key']);
  });
});

/** The first `frames` frames of a classic pcap: a capture stopped early (what `editcap -r x.pcap y.pcap 1-N` writes). */
function cutPcap(source: string, frames: number): string {
  const bytes = readFileSync(source);
  const littleEndian = bytes.readUInt32LE(0) === 0xa1b2c3d4 || bytes.readUInt32LE(0) === 0xa1b23c4d;
  let offset = 24;
  for (let i = 0; i < frames && offset < bytes.length; i++) {
    const captured = littleEndian ? bytes.readUInt32LE(offset + 8) : bytes.readUInt32BE(offset + 8);
    offset += 16 + captured;
  }
  const out = join(tempDir('tlsdiag-cut-'), 'cut.pcap');
  writeFileSync(out, bytes.subarray(0, offset));
  return out;
}

describe('a capture that stops inside the handshake', () => {
  it('is incomplete, not failed: no error, and the missing end is said at info', async () => {
    // Frames 1-6 of a successful TLS 1.2 handshake: SYN, SYN-ACK, ACK, ClientHello, ACK, ServerHello…
    const cut = cutPcap(capturePath('mtls/nginx-tls12-valid-client-cert.pcap'), 6);
    const { connections } = await analyze(cut);
    expect(connections).toHaveLength(1);
    const c = connections[0]!;
    expect(c.outcome).toBe('incomplete');
    expect(c.outcomeDetail).toMatch(/capture ends/);
    expect(c.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(c.findings.map((f) => f.id)).toContain('capture-ended-mid-handshake');
    expect(c.findings.map((f) => f.id)).not.toContain('handshake-failed-unexplained');
  });
});

describe('one root cause', () => {
  function finding(id: Finding['id'], explainsAlertFrame?: number): Finding {
    const entry = catalogEntry(id);
    return { id, severity: 'error', title: entry.title, explanation: '', remedy: '', evidence: { frames: [], fields: {} }, ...(explainsAlertFrame ? { explainsAlertFrame } : {}) };
  }

  it("a client's bad_certificate after a host name mismatch is the mismatch, not a missing intermediate", () => {
    const mismatch = finding('server-cert-name-mismatch', 8);
    const incomplete = finding('server-chain-incomplete', 8);
    const facts = { fatalAlert: { side: 'client', frame: 8, level: 2, code: 42, encrypted: false }, refusalShape: null } as const;
    // Registered order puts the chain first: the alert's code decides, not the order.
    expect(pickRootCause(facts as never, [incomplete, mismatch])).toBe(mismatch);
  });

  it('unknown_ca from the client points at the chain', () => {
    const mismatch = finding('server-cert-name-mismatch', 8);
    const incomplete = finding('server-chain-incomplete', 8);
    const facts = { fatalAlert: { side: 'client', frame: 8, level: 2, code: 48, encrypted: false }, refusalShape: null } as const;
    expect(pickRootCause(facts as never, [mismatch, incomplete])).toBe(incomplete);
  });

  it('a refusal by the server points at the client certificate', () => {
    const serverSide = finding('server-cert-name-mismatch');
    const clientSide = finding('client-cert-empty');
    const facts = { fatalAlert: null, refusalShape: { by: 'server', frame: 20 } } as const;
    expect(pickRootCause(facts as never, [serverSide, clientSide])).toBe(clientSide);
  });
});

describe('weak cipher suites, by their IANA code', () => {
  it.each([
    [0x0005, 'rc4'],
    [0x0004, 'rc4'],
    [0x000a, '3des'],
    [0xc012, '3des'],
    [0x0009, 'des'],
    [0x0003, 'export'],
    [0x0002, 'null-encryption'],
    [0x003b, 'null-encryption'],
    [0x0034, 'anonymous'],
    [0xc018, 'anonymous'],
    [0x002f, null],
    [0xc02f, null],
    [0x1301, null],
  ])('0x%s', (code, weakness) => {
    expect(cipherSuiteWeakness(code)).toBe(weakness);
  });
});

describe('findings of one kind are one finding', () => {
  it('two SHA-1 certificates in a third-party chain: one weak-signature-algorithm naming both', async () => {
    const path = join(JA4, 'socks-https-example.pcap');
    const { connections } = await analyze(path);
    const c = connections[0]!;
    const weak = c.findings.filter((f) => f.id === 'weak-signature-algorithm');
    expect(weak).toHaveLength(1);
    expect((weak[0]!.evidence.fields['subjects'] as string[]).length).toBe(2);
    // The client went on with the connection: a name mismatch there is a warning, not a failure.
    expect(c.outcome).toBe('established');
    expect(c.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });
});
