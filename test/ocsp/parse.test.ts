/**
 * parseOcspResponse against `openssl ocsp -respin … -resp_text` on responses made by `openssl ocsp` (see
 * scripts/make-x509-fixtures.sh), and on the responses stapled in captures/server/ocsp-stapled-*.pcap
 * (taken out of the capture by tshark).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isOcspParseError, parseOcspResponse, type OcspSummary } from '../../src/ocsp/parse.js';
import { decodeCertificate, isCertificateDecodeError } from '../../src/x509/decode.js';
import { cert, fixturePath, hasOpenssl } from '../x509/fixtures.js';
import { repoPath } from '../repo.js';
import { requireTools } from '../tools.js';

const CAPTURES = repoPath('captures', 'server');

function parseOk(der: Uint8Array): OcspSummary {
  const r = parseOcspResponse(der);
  if (isOcspParseError(r)) throw new Error(r.message);
  return r;
}

const opensslDate = (text: string): string => new Date(text.replace(' GMT', 'Z')).toISOString();

/** The facts `openssl ocsp -resp_text` prints, in the shape of OcspSummary. */
function opensslFacts(file: string): { status: string; basic: null | Record<string, unknown> } {
  const run = spawnSync('openssl', ['ocsp', '-respin', file, '-resp_text', '-noverify'], { encoding: 'utf8' });
  const text = `${run.stdout}${run.stderr}`;
  // A response that is not successful: openssl prints only "Responder Error: trylater (3)".
  const refused = /Responder Error: (\w+) \(\d+\)/.exec(text);
  if (refused) return { status: refused[1]!, basic: null };
  const status = /OCSP Response Status: (\w+)/.exec(text)![1]!;
  if (!/Response Type: Basic OCSP Response/.test(text)) return { status, basic: null };
  const data = text.slice(0, text.search(/^Certificate:$/m) >= 0 ? text.search(/^Certificate:$/m) : undefined);
  const responses = data.split(/^\s*Certificate ID:$/m).slice(1).map((block) => {
    const field = (name: string): string | null => new RegExp(`^\\s*${name}: (.*)$`, 'm').exec(block)?.[1]!.trim() ?? null;
    const reason = field('Revocation Reason');
    return {
      certId: {
        hashAlgorithm: field('Hash Algorithm'),
        issuerNameHash: field('Issuer Name Hash')!.toLowerCase(),
        issuerKeyHash: field('Issuer Key Hash')!.toLowerCase(),
        serialNumber: field('Serial Number')!.toLowerCase(),
      },
      certStatus: field('Cert Status'),
      revocationTime: field('Revocation Time') && opensslDate(field('Revocation Time')!),
      revocationReason: reason && reason.replace(/ \(0x[0-9a-f]+\)$/, ''),
      thisUpdate: opensslDate(field('This Update')!),
      nextUpdate: field('Next Update') && opensslDate(field('Next Update')!),
    };
  });
  // "O = a, CN = b" (oneline, DER order) → RFC 4514 "CN=b,O=a" (for names without commas in values).
  const responder = /Responder Id: (.*)$/m.exec(data)![1]!;
  const responderId = responder.includes(' = ')
    ? { byName: responder.split(', ').reverse().map((p) => p.replace(' = ', '=')).join(',') }
    : { byKey: responder.toLowerCase() };
  return {
    status,
    basic: {
      version: Number(/Version: (\d+)/.exec(data)![1]),
      producedAt: opensslDate(/Produced At: (.*)$/m.exec(data)![1]!),
      responderId,
      responses,
      certificates: (text.match(/^Certificate:$/gm) ?? []).length,
      signatureAlgorithm: /Signature Algorithm: (\S+)/.exec(data)![1],
    },
  };
}

function expectSameAsOpenssl(file: string, ours: OcspSummary): void {
  const theirs = opensslFacts(file);
  expect(String(ours.responseStatus).toLowerCase()).toBe(theirs.status.toLowerCase());
  if (theirs.basic === null) {
    expect(ours.basic).toBeNull();
    return;
  }
  expect(ours.responseType).toBe('1.3.6.1.5.5.7.48.1.1');
  expect(ours.basic).toEqual(theirs.basic);
}

describe.runIf(hasOpenssl)('parseOcspResponse against openssl ocsp -resp_text', () => {
  for (const name of ['ocsp-good', 'ocsp-revoked', 'ocsp-unknown', 'ocsp-multi', 'ocsp-other-issuer']) {
    it(name, () => {
      const file = fixturePath(`${name}.der`);
      expectSameAsOpenssl(file, parseOk(new Uint8Array(readFileSync(file))));
    });
  }

  it('says good, revoked (keyCompromise) and unknown for the certificates asked about', () => {
    const server = decodeCertificate(cert('leaf-server.pem'));
    const revoked = decodeCertificate(cert('leaf-revoked.pem'));
    if (isCertificateDecodeError(server) || isCertificateDecodeError(revoked)) throw new Error('fixture does not decode');
    const multi = parseOk(new Uint8Array(readFileSync(fixturePath('ocsp-multi.der'))));
    const bySerial = new Map(multi.basic!.responses.map((r) => [r.certId.serialNumber, r]));
    expect(bySerial.get(server.summary.serialNumber)?.certStatus).toBe('good');
    expect(bySerial.get(revoked.summary.serialNumber)?.certStatus).toBe('revoked');
    expect(bySerial.get(revoked.summary.serialNumber)?.revocationReason).toBe('keyCompromise');
    expect(bySerial.get('deadbeef')?.certStatus).toBe('unknown');
    expect(multi.basic!.responses).toHaveLength(3);
  });

  it('reads a response that is a view into a larger buffer', () => {
    const der = readFileSync(fixturePath('ocsp-revoked.der'));
    const big = new Uint8Array(der.length + 20).fill(0xee);
    big.set(der, 7);
    expect(parseOk(big.subarray(7, 7 + der.length))).toEqual(parseOk(new Uint8Array(der)));
  });

  describe('responses without bytes (every status but successful)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tlsdiag-ocsp-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    // OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED }: the whole response a responder sends then.
    for (const [status, name] of [[1, 'malformedRequest'], [2, 'internalError'], [3, 'tryLater'], [5, 'sigRequired'], [6, 'unauthorized']] as const) {
      it(name, () => {
        const der = new Uint8Array([0x30, 0x03, 0x0a, 0x01, status]);
        const file = join(dir, `${name}.der`);
        writeFileSync(file, der);
        const ours = parseOk(der);
        expect(ours.responseStatus).toBe(name);
        expect(ours.responseType).toBeNull();
        expectSameAsOpenssl(file, ours);
      });
    }
  });
});

/** The DER OCSPResponse of every CertificateStatus in a capture, as tshark's ocsp dissector delimits it. */
function stapledResponses(pcap: string, keyLog: string): Uint8Array[] {
  const args = ['-r', pcap, '-Y', 'ocsp', '-T', 'json', '-x', '--no-duplicate-keys'];
  if (existsSync(keyLog)) args.push('-o', `tls.keylog_file:${keyLog}`);
  const run = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const found: Uint8Array[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'ocsp_raw') {
        const hexes = Array.isArray(value) && Array.isArray(value[0]) ? value.map((v) => v[0]) : [(value as unknown[])[0]];
        for (const hex of hexes) found.push(new Uint8Array(Buffer.from(String(hex), 'hex')));
      } else walk(value);
    }
  };
  walk(JSON.parse(run.stdout || '[]'));
  return found;
}

const stapled = ['good', 'revoked', 'unknown'].map((s) => ({ status: s, pcap: join(CAPTURES, `ocsp-stapled-${s}.pcap`) }));

describe.runIf(requireTools(['openssl', 'tshark'], 'the stapled OCSP responses against openssl and tshark') && stapled.every((s) => existsSync(s.pcap)))('stapled OCSP responses from captures/server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tlsdiag-stapled-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  for (const { status, pcap } of stapled) {
    it(`ocsp-stapled-${status}`, () => {
      const responses = stapledResponses(pcap, pcap.replace(/\.pcap$/, '.keys.log'));
      expect(responses.length).toBeGreaterThan(0);
      for (const der of responses) {
        const file = join(dir, `${status}.der`);
        writeFileSync(file, der);
        const ours = parseOk(der);
        expectSameAsOpenssl(file, ours);
        expect(ours.basic!.responses[0]!.certStatus).toBe(status);
      }
    });
  }
});
