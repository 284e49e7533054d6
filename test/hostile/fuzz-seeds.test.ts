import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DSB_TLS_KEY_LOG } from '../../src/tls/decrypt/index.js';
import { concat, decryptionSecrets, enhancedPacket, interfaceDescription, pcapOf, repeated, sectionHeader, SYN, tcpPacket } from './craft.js';
import { runPipeline } from './pipeline.js';
import { repoPath } from '../repo.js';

// The smallest of issue 17's crafted inputs, kept in fuzz/seeds/ so `npm run fuzz` mutates from them. This test
// checks the committed files still hold what craft.ts builds (UPDATE_FUZZ_SEEDS=1 writes them) and that the
// pipeline takes each one. gzip'd seeds are compared decompressed (zlib versions may compress differently).

const DIR = repoPath('fuzz', 'seeds');
const syn = tcpPacket({ src: 0x0a000001, dst: 0x0a000002, srcPort: 40000, dstPort: 443, seq: 1, flags: SYN });
const shbIdb = concat([sectionHeader(), interfaceDescription()]);

const seeds: Array<{ name: string; raw: Uint8Array; gzip?: boolean; after?: Uint8Array }> = [
  { name: 'interface-flood.pcapng.gz', raw: repeated(shbIdb, interfaceDescription(), 2000, enhancedPacket(1999, syn)), gzip: true },
  { name: 'unknown-secrets-flood.pcapng.gz', raw: repeated(shbIdb, decryptionSecrets(0x57474b4c, new Uint8Array(4)), 500, enhancedPacket(0, syn)), gzip: true },
  { name: 'bad-keylog-lines-flood.pcapng', raw: repeated(shbIdb, decryptionSecrets(DSB_TLS_KEY_LOG, new TextEncoder().encode('CLIENT_RANDOM 00 11\n')), 200, enhancedPacket(0, syn)) },
  {
    name: 'hash-collision-syns.pcap',
    raw: pcapOf(Array.from({ length: 300 }, (_, i) => tcpPacket({ src: (0x0a000001 ^ Math.imul(1024 + i, 0x9e3779b1)) >>> 0, dst: 0x0a640001, srcPort: 1024 + i, dstPort: 443, seq: i, flags: SYN }))),
  },
  { name: 'gzip-trailing-garbage.pcap.gz', raw: pcapOf([syn, syn]), gzip: true, after: new TextEncoder().encode('trailing garbage\n') },
];

function bytesOf(seed: (typeof seeds)[number]): Uint8Array {
  return seed.gzip ? concat([gzipSync(seed.raw), seed.after ?? new Uint8Array(0)]) : seed.raw;
}

if (process.env['UPDATE_FUZZ_SEEDS'] === '1') {
  mkdirSync(DIR, { recursive: true });
  for (const seed of seeds) writeFileSync(join(DIR, seed.name), bytesOf(seed));
}

describe('fuzz seeds from the hostile inputs', () => {
  it.each(seeds)('$name is committed as craft.ts builds it, and the pipeline takes it', async (seed) => {
    const path = join(DIR, seed.name);
    expect(existsSync(path), `${path}: run with UPDATE_FUZZ_SEEDS=1`).toBe(true);
    const committed = new Uint8Array(readFileSync(path));
    expect(committed.length).toBeLessThan(64 * 1024);
    if (seed.gzip) {
      const member = committed.subarray(0, committed.length - (seed.after?.length ?? 0));
      expect(new Uint8Array(gunzipSync(member))).toEqual(seed.raw);
    } else {
      expect(committed).toEqual(seed.raw);
    }
    const result = await runPipeline(committed);
    expect(result.text.length).toBeGreaterThan(0);
  });
});
