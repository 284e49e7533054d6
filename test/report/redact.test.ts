import { describe, expect, it } from 'vitest';
import { renderJson } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import type { AnalysisResult, ConnectionReport } from '../../src/model/types.js';
import { redact, Redactor } from '../../src/report/redact.js';
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

describe('redact: one table, one pass', () => {
  it('gives an SNI, the SAN and the CN of the same name, in every connection sharing the chain, one pseudonym', async () => {
    const one = await analyzed(`${NGINX_TLS13}.pcap`, `${NGINX_TLS13}.keys.log`);
    const c = one.connections[0]!;
    // As analyze() gives them: the connections share the certificate objects (decoded once per DER).
    const many: AnalysisResult = {
      ...one,
      connections: [0, 1, 2].map((i) => ({ ...c, index: i, client: { ip: `192.0.2.${i + 1}`, port: 40000 + i } })),
    };
    const r = redact(many);
    const sni = r.connections[0]!.sni!;
    expect(sni).toMatch(/^host-\d+\.example$/);
    for (const rc of r.connections) {
      expect(rc.sni).toBe(sni);
      const leaf = rc.serverCertificates![0]!;
      expect(leaf.subjectAltNames).toContain(`DNS:${sni}`);
      expect(leaf.subject.startsWith(`CN=${sni},`)).toBe(true);
      expect(leaf.serialNumber).toBe(r.connections[0]!.serverCertificates![0]!.serialNumber);
      expect(leaf.sha256).toMatch(/^sha256:redacted-\d+$/);
      for (const f of rc.findings) expect(f.explanation).not.toMatch(/localhost|127\.0\.0\.1/);
    }
    expect(new Set(r.connections.map((x) => x.client.ip)).size).toBe(3);
    // The same input, the same pseudonyms.
    expect(redact(many)).toEqual(r);
  });

  it('replaces a one-word SNI that is a word of the findings (`server`) in fields but leaves the word in prose', async () => {
    const one = await analyzed(JAVA_EMPTY_CERT);
    const c = { ...one.connections[0]!, sni: 'server' };
    const r = redact({ ...one, connections: [c] }).connections[0]!;
    expect(r.sni).toMatch(/^host-\d+\.example$/);
    expect(r.findings[0]!.explanation).toBe(c.findings[0]!.explanation.replaceAll('127.0.0.1', '10.0.0.1'));
    expect(r.findings[0]!.explanation).toMatch(/\bserver\b/);
  });

  it('redacts each distinct certificate once, and scans text in steps proportional to the text (no quadratic work)', async () => {
    const one = await analyzed(`${NGINX_TLS13}.pcap`, `${NGINX_TLS13}.keys.log`);
    const c = one.connections[0]!;
    const distinct = new Set([...(c.clientCertificates ?? []), ...(c.serverCertificates ?? [])].map((x) => x.sha256)).size;
    const run = (n: number) => {
      const redactor = new Redactor();
      for (let i = 0; i < n; i++) {
        // Copies, as worker threads hand them over: shared by content, not by object.
        const copy = structuredClone({ ...c, index: i, sni: `svc-${i}.corp.example`, client: { ip: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, port: 1024 + i } });
        redactor.connection(copy);
      }
      return { certificates: redactor.stats.certificates, steps: redactor.names.scanSteps, values: redactor.names.size };
    };
    const small = run(1000);
    const large = run(3000);
    expect(small.certificates).toBe(distinct);
    expect(large.certificates).toBe(distinct);
    // Every connection brings a new name and address: the table grows, the work per connection does not.
    expect(large.values).toBeGreaterThan(small.values * 2.5);
    expect(large.steps / small.steps).toBeGreaterThan(2.9);
    expect(large.steps / small.steps).toBeLessThan(3.1);
  });

  it('replaces every attribute value of a leaf subject (types kept), in fields and prose, and keeps CA names whole', async () => {
    const one = await analyzed(`${NGINX_TLS13}.pcap`, `${NGINX_TLS13}.keys.log`);
    const c = structuredClone(one.connections[0]!);
    const leafSubject = 'CN=dave-expired,OU=Payments Team,O=Acme Corp';
    const caName = 'CN=Acme Corp Issuing CA,O=Acme Corp';
    const leaf = c.clientCertificates![0]!;
    leaf.subject = leafSubject;
    leaf.issuer = caName;
    leaf.serialNumber = '4dad0316c0ffee';
    leaf.subjectAltNames = ['email:dave@acme.example', 'URI:spiffe://acme.example/payments/dave'];
    leaf.sha256 = 'ab'.repeat(32);
    c.findings[0]!.explanation = `The client certificate ${leafSubject} (serial 4dad0316c0ffee, ${'ab'.repeat(32)}) of Payments Team, issued by ${caName}, for dave@acme.example.`;
    c.findings[0]!.evidence.fields['client_leaf'] = leafSubject;
    c.findings[0]!.evidence.fields['leaf_issuer'] = caName;
    c.findings[0]!.evidence.fields['serial_number'] = '004DAD0316C0FFEE';
    const r = redact({ ...one, connections: [c] }).connections[0]!;
    const rl = r.clientCertificates![0]!;
    expect(rl.subject).toMatch(/^CN=client-\d+,OU=org-\d+,O=org-\d+$/);
    expect(rl.issuer).toBe(caName);
    const json = JSON.stringify(r);
    for (const word of ['dave', 'Payments', 'acme.example', '4dad0316', 'abababab']) expect(json).not.toContain(word);
    expect(r.findings[0]!.explanation).toContain(`The client certificate ${rl.subject} (serial ${rl.serialNumber}`);
    expect(r.findings[0]!.explanation).toContain(`issued by ${caName}`);
    expect(r.findings[0]!.evidence.fields['client_leaf']).toBe(rl.subject);
    expect(r.findings[0]!.evidence.fields['leaf_issuer']).toBe(caName);
    // The OCSP form of the serial (leading zeros, upper case) is the same serial.
    expect(r.findings[0]!.evidence.fields['serial_number']).toBe(rl.serialNumber);
  });

  it('finds the leaf of a misordered chain: the CA sent first stays, the leaf sent after it is replaced', async () => {
    const one = await analyzed(`${NGINX_TLS13}.pcap`, `${NGINX_TLS13}.keys.log`);
    const c = one.connections[0]!;
    const [leaf, intermediate] = c.serverCertificates!;
    const r = redact({ ...one, connections: [{ ...c, serverCertificates: [intermediate!, leaf!] }] }).connections[0]!;
    expect(r.serverCertificates![0]!.subject).toBe(intermediate!.subject);
    expect(r.serverCertificates![1]!.subject).toMatch(/^CN=host-\d+\.example,O=org-\d+$/);
    expect(r.serverCertificates![1]!.issuer).toBe(intermediate!.subject);
  });

  it('scans fields it does not know as capture plaintext: request targets, header values, addresses, host names', async () => {
    const one = await analyzed(JAVA_EMPTY_CERT);
    const c = {
      ...one.connections[0]!,
      nonTls: { side: 'client', frame: 4, firstLine: 'GET /users/dave/profile HTTP/1.1' },
      outcomeDetail: 'the capture ends before 127.0.0.1 answered',
      peerLines: { lines: ['Host: intranet', 'X-Real-IP: 198.51.100.23', 'via db01.corp.example'] },
    } as ConnectionReport;
    const r = redact({ ...one, connections: [c] }).connections[0]! as ConnectionReport & { peerLines: { lines: string[] } };
    expect(r.outcome).toBe(c.outcome);
    expect(r.nonTls).toEqual({ side: 'client', frame: 4, firstLine: 'GET /[redacted] HTTP/1.1' });
    expect(r.outcomeDetail).toBe('the capture ends before 10.0.0.1 answered');
    expect(r.peerLines.lines[0]).toBe('Host: [redacted]');
    expect(r.peerLines.lines[1]).toMatch(/^X-Real-IP: 10\.0\.\d+\.\d+$/);
    expect(r.peerLines.lines[2]).toMatch(/^via host-\d+\.example$/);
    // The same for fields of the document, its files and warnings added later.
    const doc = redact({
      ...one,
      files: one.files.map((f) => ({ ...f, origin: 'tcpdump on db01.corp.example' })),
      warnings: [{ file: one.files[0]!.file, code: 'x', message: 'm', seenBy: 'ops@corp.example' }],
      operator: { host: 'jump.corp.example', ip: '198.51.100.7' },
    } as unknown as AnalysisResult);
    expect(JSON.stringify(doc)).not.toMatch(/corp\.example|198\.51\.100\.7/);
    expect((doc as unknown as { operator: { host: string } }).operator.host).toMatch(/^host-\d+\.example$/);
  });

  it('replaces the capture file name (directory and base name) wherever it appears', async () => {
    const one = await analyzed(JAVA_EMPTY_CERT);
    const r = redact(one);
    expect(r.files[0]!.file).toBe('capture-1.pcap');
    expect(r.connections[0]!.file).toBe('capture-1.pcap');
    expect(JSON.stringify(r)).not.toContain('java-tls12');
  });
});

describe('redact: hostile capture text', () => {
  it('scans long crafted plaintext in one pass (no backtracking blow-up) and still finds what it hides', async () => {
    const one = await analyzed(JAVA_EMPTY_CERT);
    const long = [
      'a'.repeat(200_000),
      `${'a.'.repeat(100_000)}1`,
      `GET /${'x'.repeat(200_000)}`,
      `${'1.'.repeat(100_000)}`,
      `${'ab:'.repeat(70_000)}`,
      `/${'a/'.repeat(100_000)}`,
      `${'x@'.repeat(100_000)}`,
      `CN=${'dave '.repeat(40_000)}`,
    ];
    const c = { ...one.connections[0]!, peerLines: [...long, 'then db01.corp.example at 203.0.113.9'] } as ConnectionReport;
    const r = redact({ ...one, connections: [c] }).connections[0]! as ConnectionReport & { peerLines: string[] };
    expect(r.peerLines).toHaveLength(long.length + 1);
    expect(r.peerLines.at(-1)).toMatch(/^then host-\d+\.example at 10\.0\.\d+\.\d+$/);
  });
});

describe('redact: past the table limit', () => {
  it('still replaces every value, in fields and in the prose of its connection, with shared overflow pseudonyms', async () => {
    const one = await analyzed(`${NGINX_TLS13}.pcap`, `${NGINX_TLS13}.keys.log`);
    const c = one.connections[0]!;
    const redactor = new Redactor(20);
    const out: ConnectionReport[] = [];
    for (let i = 0; i < 30; i++) {
      const copy = structuredClone(c);
      copy.sni = `svc-${i}.corp.example`;
      copy.client = { ip: `198.51.100.${i}`, port: 1000 + i };
      const leaf = copy.clientCertificates![0]!;
      leaf.subject = `CN=user-${i}-laptop,OU=Team ${i} Ops`;
      leaf.serialNumber = `7a${i.toString(16).padStart(2, '0')}`;
      leaf.sha256 = i.toString(16).padStart(64, 'c');
      copy.findings[0]!.explanation = `The client ${leaf.subject} (serial ${leaf.serialNumber}) asked for svc-${i}.corp.example from 198.51.100.${i}.`;
      out.push(redactor.connection(copy));
    }
    // A certificate first seen past the limit, seen again: its serial is still found in the prose.
    const again = structuredClone(c);
    again.clientCertificates![0]!.serialNumber = '7a1d';
    again.clientCertificates![0]!.sha256 = (29).toString(16).padStart(64, 'c');
    again.clientCertificates![0]!.subject = 'CN=user-29-laptop,OU=Team 29 Ops';
    again.findings[0]!.explanation = 'Revoked: serial 7a1d.';
    out.push(redactor.connection(again));
    expect(out[30]!.findings[0]!.explanation).toBe('Revoked: serial serial-more.');
    expect(redactor.names.size).toBe(20);
    const late = out[29]!;
    expect(late.sni).toBe('host-more.example');
    expect(late.clientCertificates![0]!.serialNumber).toBe('serial-more');
    expect(late.clientCertificates![0]!.subject).toBe('CN=client-more,OU=org-more');
    expect(late.findings[0]!.explanation).toBe('The client CN=client-more,OU=org-more (serial serial-more) asked for host-more.example from 10.255.255.255.');
    expect(JSON.stringify(out)).not.toMatch(/corp\.example|198\.51\.100|laptop|Ops|7a1d|c{40}/);
  });
});
