import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { readCapture, type Frame } from '../../src/capture/index.js';
import { PacketDecoder } from '../../src/ip/index.js';
import { isOcspParseError, parseOcspResponse } from '../../src/ocsp/index.js';
import { KeyLog } from '../../src/tls/decrypt/key-log.js';
import { parseHandshakeMessage, TlsParseError, type HandshakeMessage, type RawExtension } from '../../src/tls/handshake/index.js';
import { decodeCertificate, isCertificateDecodeError, sha256Hex } from '../../src/x509/index.js';
import { loadFixtureMessages, type FixtureMessage } from '../tls/handshake/fixtures.js';
import { runPipeline } from './pipeline.js';
import { REPO_ROOT as REPO } from '../repo.js';


function filesUnder(dir: string, accept: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path, accept));
    else if (accept(name)) out.push(path);
  }
  return out;
}

const CORPUS = ['captures/mtls', 'captures/server', 'captures/formats', 'test/fixtures/handshake/captures'].flatMap((d) =>
  filesUnder(join(REPO, d), (n) => /\.(pcap|pcapng|gz)$/.test(n)),
).filter((f) => statSync(f).size > 64);
const messages = loadFixtureMessages();

/** Every length below `dense`, then `spread` more lengths evenly up to n-1, and the last 16. */
function lengths(n: number, dense: number, spread = 64): number[] {
  const set = new Set<number>();
  for (let i = 0; i < Math.min(n, dense); i++) set.add(i);
  for (let i = 0; i < spread; i++) set.add(Math.floor((n * i) / spread));
  for (let i = 1; i <= Math.min(n, 16); i++) set.add(n - i);
  return [...set].sort((a, b) => a - b);
}

describe('capture reader (pcap, pcapng, gzip): every prefix up to 1 KiB of the format captures, sampled prefixes after it and of the rest', () => {
  for (const file of CORPUS) {
    it(file.slice(REPO.length + 1), async () => {
      const bytes = new Uint8Array(readFileSync(file));
      const full = await readCapture(bytes, { frame: () => {} });
      expect(full.error).toBeNull();
      for (const length of lengths(bytes.length, file.includes('/formats/') ? 1024 : 0, file.includes('/formats/') ? 256 : 48)) {
        let frames = 0;
        const summary = await readCapture(bytes.subarray(0, length), { frame: () => void frames++ });
        expect(summary.frames).toBe(frames);
        expect(frames).toBeLessThanOrEqual(full.frames);
        if (length < bytes.length && summary.error === null) {
          // A prefix that ends exactly between records is a complete, shorter capture.
          expect(frames, `${file} @${length}`).toBeLessThan(full.frames + 1);
        }
        if (summary.error) {
          expect(summary.error.offset, `${file} @${length}`).toBeGreaterThanOrEqual(0);
          expect(summary.error.message).toMatch(/expected|truncated|cut|corrupt|ends|short|end of/i);
        }
      }
    });
  }
});

describe('link, IP and TCP decoding: every frame of the corpus cut at every length', () => {
  for (const file of CORPUS.filter((f) => /formats|mtls\/nginx-tls13-valid/.test(f))) {
    it(file.slice(REPO.length + 1), async () => {
      const frames: Frame[] = [];
      await readCapture(new Uint8Array(readFileSync(file)), {
        frame: (f) => void frames.push({ ...f, bytes: f.bytes.slice(f.offset, f.offset + f.capturedLength), offset: 0 }),
      });
      expect(frames.length).toBeGreaterThan(0);
      let segments = 0;
      let capturedLength = 0;
      const decoder = new PacketDecoder((segment) => {
        segments++;
        // Whatever the cut, a segment's payload lies inside the captured bytes.
        expect(segment.payloadOffset + segment.payloadLength).toBeLessThanOrEqual(capturedLength);
      });
      for (const frame of frames) {
        for (let length = 0; length <= frame.capturedLength; length++) {
          capturedLength = length;
          decoder.frame({ ...frame, capturedLength: length });
        }
      }
      expect(segments).toBeGreaterThan(0);
    });
  }
});

/** Result of parsing, or the TlsParseError; anything else thrown fails the test. */
function parse(m: FixtureMessage, body: Uint8Array): HandshakeMessage | TlsParseError {
  try {
    return parseHandshakeMessage(m.msgType, body, m.context);
  } catch (error) {
    if (error instanceof TlsParseError) return error;
    throw new Error(`${m.where}: threw ${String(error)} instead of a TlsParseError`);
  }
}

/** The message with one extension's data cut to `length` bytes and the enclosing lengths fixed up. */
function withExtensionCut(body: Uint8Array, extensions: RawExtension[], index: number, length: number): Uint8Array {
  const first = extensions[0]!.data.byteOffset - body.byteOffset - 4;
  const ext = extensions[index]!;
  const dataAt = ext.data.byteOffset - body.byteOffset;
  const removed = ext.data.length - length;
  const out = new Uint8Array(body.length - removed);
  out.set(body.subarray(0, dataAt + length));
  out.set(body.subarray(dataAt + ext.data.length), dataAt + length);
  const view = new DataView(out.buffer);
  view.setUint16(dataAt - 2, length);
  view.setUint16(first - 2, view.getUint16(first - 2) - removed);
  return out;
}

describe('each extension decoder: every extension of every real hello cut at every length', () => {
  const withBlock = messages.filter((m) => [1, 2, 8].includes(m.msgType));
  it('has messages with extensions', () => expect(withBlock.length).toBeGreaterThan(50));
  const files = [...new Set(withBlock.map((m) => m.where.split('#')[0]!))];
  for (const file of files) {
    it(file, () => {
      for (const m of withBlock.filter((x) => x.where.startsWith(`${file}#`))) {
        const full = parseHandshakeMessage(m.msgType, m.body, m.context);
        const extensions = 'extensions' in full ? full.extensions : [];
        for (let i = 0; i < extensions.length; i++) {
          for (let length = 0; length < extensions[i]!.data.length; length++) {
            const cut = withExtensionCut(m.body, extensions, i, length);
            const result = parse(m, cut);
            if (result instanceof TlsParseError) {
              expect(result.offset).toBeLessThanOrEqual(cut.length);
              expect(result.message).toContain(`offset ${result.offset}`);
            }
          }
        }
      }
    });
  }
});

const certificates = new Map<string, Uint8Array>();
const ocspResponses = new Map<string, Uint8Array>();
for (const m of messages) {
  const parsed = parse(m, m.body);
  if (parsed instanceof TlsParseError) continue;
  if (parsed.type === 'Certificate') {
    for (const entry of parsed.certificates) {
      certificates.set(sha256Hex(entry.data), entry.data);
      if (entry.ocspResponse) ocspResponses.set(sha256Hex(entry.ocspResponse), entry.ocspResponse);
    }
  }
  if (parsed.type === 'CertificateStatus' && parsed.ocspResponse) ocspResponses.set(sha256Hex(parsed.ocspResponse), parsed.ocspResponse);
}

describe('DER certificates of the corpus cut at every length', () => {
  it('decode or give a decode error, never throw', () => {
    expect(certificates.size).toBeGreaterThan(10);
    let n = 0;
    for (const der of certificates.values()) {
      expect(isCertificateDecodeError(decodeCertificate(der))).toBe(false);
      // Every length for the first certificates, sampled ones for the rest (each decode is a few hundred µs).
      for (const length of lengths(der.length, n++ < 4 ? Infinity : 0, 48)) {
        const result = decodeCertificate(der.subarray(0, length));
        expect(isCertificateDecodeError(result), `certificate ${n} @${length}`).toBe(true);
      }
    }
  });
});

describe('OCSP responses of the corpus cut at every length', () => {
  it('parse or give a parse error, never throw', () => {
    expect(ocspResponses.size).toBeGreaterThanOrEqual(3);
    for (const der of ocspResponses.values()) {
      expect(isOcspParseError(parseOcspResponse(der))).toBe(false);
      for (let length = 0; length < der.length; length++) {
        const result = parseOcspResponse(der.subarray(0, length));
        expect(isOcspParseError(result), `@${length}`).toBe(true);
      }
    }
  });
});

describe('key logs of the corpus cut at every length', () => {
  const logs = filesUnder(join(REPO, 'captures'), (n) => n.endsWith('.keys.log'));
  it('load what is whole and warn about the rest, never throw', () => {
    expect(logs.length).toBeGreaterThan(5);
    for (const file of logs.slice(0, 6)) {
      const text = readFileSync(file, 'utf8');
      const full = new KeyLog();
      expect(full.addText(text)).toEqual([]);
      for (let length = 0; length < text.length; length++) {
        const keys = new KeyLog();
        keys.addText(text.slice(0, length));
        expect(keys.size).toBeLessThanOrEqual(full.size);
      }
    }
  });
});

describe('the whole pipeline over truncated captures', () => {
  const small = CORPUS.filter((f) => /no-shared-cipher|protocol-version-mismatch|java17-sslv2hello/.test(f));
  for (const file of small) {
    it(`every length of ${file.slice(REPO.length + 1)}`, async () => {
      const bytes = new Uint8Array(readFileSync(file));
      for (let length = 0; length < bytes.length; length++) {
        const result = await runPipeline(bytes.subarray(0, length));
        expect(JSON.parse(result.json)).toBeTypeOf('object');
      }
    });
  }

  const work = mkdtempSync(join(tmpdir(), 'tlsdiag-truncated-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  it('analyze() over 24 sampled lengths of every corpus capture returns a result', async () => {
    const inputs: string[] = [];
    for (const file of CORPUS) {
      const bytes = readFileSync(file);
      for (let i = 1; i <= 24; i++) {
        const length = Math.floor((bytes.length * i) / 25) + (i % 3);
        const path = join(work, `${inputs.length}.${file.endsWith('.gz') ? 'pcap.gz' : 'pcap'}`);
        writeFileSync(path, bytes.subarray(0, length));
        inputs.push(path);
      }
    }
    // Reported in files[] (a prefix of a few bytes is no capture), as the CLI asks: never thrown.
    const result = await analyze(inputs, { unreadableInput: 'report' });
    expect(result.files.length).toBe(inputs.length);
    expect(result.files.filter((f) => f.error !== null).length).toBeGreaterThan(inputs.length / 2);
  });
});
