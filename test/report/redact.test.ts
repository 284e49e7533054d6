import { describe, expect, it } from 'vitest';
import { renderJson } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { redact } from '../../src/report/redact.js';
import { analyzed, JAVA_EMPTY_CERT, NGINX_TLS13 } from './helpers.js';

describe('redact', () => {
  it('replaces addresses, host names and serials everywhere, keeps CA names, alerts, findings and frames', async () => {
    const result = await analyzed(`${NGINX_TLS13}.pcap`, `${NGINX_TLS13}.keys.log`);
    const c = result.connections[0]!;
    const r = redact(result).connections[0]!;
    const leaf = c.serverCertificates![0]!;
    const json = renderJson(redact(result));

    expect(c.sni).toBe('localhost');
    expect(r.sni).toBe('host-1.example');
    expect(r.client.ip).toBe('10.0.0.1');
    expect(r.server.ip).toBe('10.0.0.1'); // both ends are 127.0.0.1: one address, one pseudonym
    expect(r.serverCertificates![0]!.subjectAltNames).toEqual(['DNS:host-1.example', 'IP:10.0.0.1']);
    expect(r.serverCertificates![0]!.subject).toMatch(/^CN=host-1\.example,O=org-\d+$/);
    expect(r.serverCertificates![0]!.serialNumber).toMatch(/^serial-\d+$/);
    for (const word of ['localhost', '127.0.0.1', `"${leaf.serialNumber}"`]) expect(json).not.toContain(word);

    // Kept: CA names (issuers, CA subjects, the acceptable CA list), alerts, finding ids, frames.
    expect(r.serverCertificates![0]!.issuer).toBe(leaf.issuer);
    expect(r.serverCertificates![1]!.subject).toBe(c.serverCertificates![1]!.subject);
    expect(r.certificateRequest!.certificateAuthorities).toEqual(c.certificateRequest!.certificateAuthorities);
    expect(r.alerts).toEqual(c.alerts);
    expect(r.findings.map((f) => f.id)).toEqual(c.findings.map((f) => f.id));
    expect(r.timeline.map((e) => e.frame)).toEqual(c.timeline.map((e) => e.frame));
    // The input is left as it was.
    expect(result.connections[0]!.sni).toBe('localhost');
  });

  it('gives the same pseudonym to the same value, and different ones to different values', async () => {
    const one = await analyzed(JAVA_EMPTY_CERT);
    const c = one.connections[0]!;
    const twoServers = {
      ...one,
      connections: [c, { ...c, index: 1, server: { ip: '192.0.2.7', port: 443 }, sni: 'api.example.com' }],
    };
    const r = redact(twoServers);
    expect(r.connections[0]!.server.ip).toBe('10.0.0.1');
    expect(r.connections[1]!.server.ip).toBe('10.0.0.2');
    expect(r.connections[1]!.sni).toBe('host-2.example');
    expect(redact(twoServers)).toEqual(r);
    const md = renderMarkdown(r, { all: true, limit: 20 });
    expect(md).not.toMatch(/127\.0\.0\.1|192\.0\.2\.7|api\.example\.com|localhost/);
  });
});
