import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import type { AnalysisResult } from '../../src/model/types.js';
import { repoPath } from '../repo.js';

/**
 * FoxIO's JA4 conformance captures read end to end (capture reader, TCP reassembly, TLS detection by content,
 * SOCKS preambles): every ClientHello they expect is found on its connection with the same JA4 family and SNI.
 */
const CONFORMANCE_DIR = repoPath('..', 'shared', 'conformance', 'ja4');

interface ExpectedConnection {
  src: string;
  srcport: string;
  dst: string;
  dstport: string;
  domain?: string;
  'JA4.1'?: string;
  'JA4_r.1'?: string;
  'JA4_o.1'?: string;
  'JA4_ro.1'?: string;
}

const captures = existsSync(join(CONFORMANCE_DIR, 'captures')) ? readdirSync(join(CONFORMANCE_DIR, 'captures')).sort() : [];

describe.runIf(captures.length > 0)('JA4 conformance captures through the whole pipeline', () => {
  const results = new Map<string, Promise<AnalysisResult>>();
  const resultFor = (capture: string): Promise<AnalysisResult> => {
    if (!results.has(capture)) results.set(capture, analyze(join(CONFORMANCE_DIR, 'captures', capture)));
    return results.get(capture)!;
  };
  let total = 0;

  for (const capture of captures) {
    const expected = (JSON.parse(readFileSync(join(CONFORMANCE_DIR, 'expected', `${capture}.json`), 'utf8')) as ExpectedConnection[]).filter(
      (e) => e['JA4.1'] !== undefined,
    );
    total += expected.length;
    it(`${capture}: ${expected.length} ClientHellos`, async () => {
      const result = await resultFor(capture);
      expect(result.files[0]!.error).toBeNull();
      for (const e of expected) {
        const connection = result.connections.find(
          (c) => c.client.ip === e.src && c.client.port === Number(e.srcport) && c.server.ip === e.dst && c.server.port === Number(e.dstport),
        );
        expect(connection, `${e.src}:${e.srcport} → ${e.dst}:${e.dstport}`).toBeDefined();
        expect({ ja4: connection!.ja4, ja4_r: connection!.ja4_r, ja4_o: connection!.ja4_o, ja4_ro: connection!.ja4_ro, sni: connection!.sni ?? undefined }).toEqual({
          ja4: e['JA4.1'],
          ja4_r: e['JA4_r.1'],
          ja4_o: e['JA4_o.1'],
          ja4_ro: e['JA4_ro.1'],
          sni: e.domain,
        });
      }
    });
  }

  it('covers all 142 ClientHellos of the set', () => {
    expect(total).toBe(142);
  });

  it('follows TLS behind the SOCKS proxy handshakes', async () => {
    const result = await resultFor('socks-https-example.pcap');
    const upgraded = result.connections.map((c) => c.upgradedFrom);
    expect(upgraded.length).toBeGreaterThan(0);
    expect(upgraded.every((u) => u === 'socks4' || u === 'socks5')).toBe(true);
    expect(result.connections.every((c) => c.server.port === 1080)).toBe(true);
  });
});
