import { readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { renderJson } from '../../src/report/json.js';
import { redact } from '../../src/report/redact.js';
import type { AnalysisResult, CertificateSummary } from '../../src/model/types.js';
import { runCli } from '../cli/run.js';
import { keyLogFor, REPO_ROOT } from '../repo.js';

/**
 * `--redact` on every capture of the corpus (captures/**, with its key log as scripts/update-expected.mjs
 * uses it), in every format, through the CLI: none of the addresses, host names, serials, fingerprints, leaf
 * subjects and file paths of the unredacted analysis may be left in the output.
 */
const root = REPO_ROOT;
const FORMATS = ['text', 'json', 'markdown', 'html'] as const;

function corpus(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...corpus(full));
    else if (/\.(pcap|pcapng)(\.gz)?$/.test(name)) out.push(relative(root, full));
  }
  return out;
}

interface Secret {
  what: string;
  value: string;
  /** How it must not appear: as a whole word, or (short serials) after the word "serial" or as a JSON string. */
  pattern: RegExp;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const word = (s: string) => new RegExp(`(?<![A-Za-z0-9_.-])${escape(s)}(?![A-Za-z0-9_]|[.-][A-Za-z0-9])`, 'i');

/** What the unredacted analysis holds that identifies a host, a user, an address or a certificate. */
/** The CA names of the analysis: kept by --redact (they are the diagnosis), so a leaf's O= may show inside them. */
function caNamesOf(result: AnalysisResult): string[] {
  const names = new Set<string>();
  for (const c of result.connections) {
    for (const name of c.certificateRequest?.certificateAuthorities ?? []) names.add(name);
    for (const chain of [c.clientCertificates ?? [], c.serverCertificates ?? []]) {
      for (const [i, cert] of chain.entries()) {
        if (cert.issuer !== cert.subject || i > 0) names.add(cert.issuer);
        if (i > 0 && cert.basicConstraints?.ca === true) names.add(cert.subject);
      }
    }
  }
  return [...names].sort((a, b) => b.length - a.length);
}

function secretsOf(result: AnalysisResult): Secret[] {
  const secrets = new Map<string, Secret>();
  const add = (what: string, value: string | null | undefined, pattern = value ? word(value) : null) => {
    if (value && pattern && !secrets.has(`${what}|${value}`)) secrets.set(`${what}|${value}`, { what, value, pattern });
  };
  for (const c of result.connections) {
    add('IP address', c.client.ip);
    add('IP address', c.server.ip);
    add('host name (SNI)', c.sni);
    add('capture path', c.file, new RegExp(escape(c.file)));
    add('capture name', basename(c.file), new RegExp(escape(basename(c.file))));
    const chains = [c.clientCertificates ?? [], c.serverCertificates ?? []];
    for (const [i, cert, chain] of chains.flatMap((chain) => chain.map((cert, i) => [i, cert, chain] as [number, CertificateSummary, CertificateSummary[]]))) {
      // The sender's own: first (unless a CA that issues another one sent), or no CA and issuing none of them.
      const issuesAnother = chain.some((o) => o.issuer === cert.subject && o.subject !== cert.subject);
      const leaf = i === 0 ? !(cert.basicConstraints?.ca === true && issuesAnother) : cert.basicConstraints?.ca !== true && !issuesAnother;
      if (cert.serialNumber.length >= 8) add('serial', cert.serialNumber);
      else add('serial', cert.serialNumber, new RegExp(`serial\\W{0,3}${escape(cert.serialNumber)}\\b|"${escape(cert.serialNumber)}"`, 'i'));
      add('fingerprint', cert.sha256);
      for (const san of cert.subjectAltNames) {
        if (san.startsWith('DNS:')) add('host name (SAN)', san.slice(4));
        if (san.startsWith('IP:')) add('IP address (SAN)', san.slice(3));
      }
      if (leaf && !cert.subject.startsWith('(undecodable')) {
        add('leaf subject', cert.subject, new RegExp(escape(cert.subject)));
        add('leaf key identifier', cert.subjectKeyIdentifier);
        // Each attribute value that is more than a plain word (those are replaced inside the subject only).
        for (const m of cert.subject.matchAll(/(?:^|,|\+)[A-Za-z]+=((?:\\.|[^,+\\])*)/g)) {
          const value = m[1]!.replace(/\\(.)/g, '$1');
          if (!/^[A-Za-z]+$/.test(value) && !/^\d{1,7}$/.test(value)) add('leaf subject attribute', value);
        }
      }
    }
    for (const f of c.findings) {
      for (const [key, value] of Object.entries(f.evidence.fields)) {
        if (/serial/i.test(key) && typeof value === 'string' && value.length >= 8) add('serial (evidence)', value);
      }
    }
  }
  return [...secrets.values()];
}

describe.runIf(process.cwd() === root)('--redact on the whole corpus (run from the project root)', () => {
  const captures = corpus(join(root, 'captures'));
  const keyLogs = captures.map((c) => keyLogFor(join(root, c))).filter((k): k is string => k !== null).map((k) => relative(root, k));
  let secrets: Secret[] = [];
  let caNames: string[] = [];
  let analysis: AnalysisResult;

  beforeAll(async () => {
    const result = await analyze(captures, { keyLogFiles: keyLogs });
    analysis = result;
    secrets = secretsOf(result);
    caNames = caNamesOf(result);
  }, 120_000);

  it('finds the corpus and what identifies it', () => {
    expect(captures.length).toBeGreaterThan(60);
    const kinds = new Set(secrets.map((s) => s.what));
    for (const kind of ['IP address', 'host name (SNI)', 'serial', 'fingerprint', 'leaf subject', 'leaf subject attribute', 'capture path']) {
      expect(kinds, kind).toContain(kind);
    }
  });

  it('streams: the --json --redact document, redacted connection by connection, is redact() of the whole analysis', async () => {
    const run = await runCli('--json', '--redact', '-q', ...keyLogs.flatMap((k) => ['--keylog', k]), ...captures);
    expect(JSON.parse(run.stdout)).toEqual(JSON.parse(renderJson(redact(analysis))));
  }, 120_000);

  for (const format of FORMATS) {
    it(`leaves none of it in --format ${format}`, async () => {
      const run = await runCli('--redact', '--format', format, '--all', '--limit', '100000', '-q', ...keyLogs.flatMap((k) => ['--keylog', k]), ...captures);
      expect(run.stdout.length).toBeGreaterThan(10_000);
      // Text wraps long lines at spaces: joined again, a CA name reads whole.
      let output = format === 'text' ? run.stdout.replace(/\n +/g, ' ') : run.stdout;
      for (const name of caNames) output = output.split(name).join('(CA name)');
      const leaks = secrets.filter((s) => s.pattern.test(output)).map((s) => `${s.what}: ${s.value}`);
      expect(leaks).toEqual([]);
    }, 120_000);
  }
});

describe('--redact with --cert', () => {
  it('replaces the subject of the certificate given with --cert, which findings quote', async () => {
    const fixtures = join(root, 'test', 'rules', 'fixtures');
    const plain = await runCli('--json', '-q', '--cert', join(fixtures, 'client-ec.pem'), join(fixtures, 'client-ec-rsa-only-request.pcap'));
    expect(plain.stdout).toContain('CN=tlsdiag Test Client EC');
    const run = await runCli('--json', '--redact', '-q', '--cert', join(fixtures, 'client-ec.pem'), join(fixtures, 'client-ec-rsa-only-request.pcap'));
    const doc = JSON.parse(run.stdout) as AnalysisResult;
    const finding = doc.connections[0]!.findings.find((f) => f.id === 'client-cert-type-not-requested')!;
    expect(finding.evidence.fields['given_certificate']).toMatch(/^CN=client-\d+,O=org-\d+$/);
    expect(finding.explanation).toContain(`(${finding.evidence.fields['given_certificate'] as string})`);
    expect(run.stdout).not.toContain('Test Client EC');
  });
});
