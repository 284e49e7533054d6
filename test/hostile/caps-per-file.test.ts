import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { MAX_INTERFACES_PER_FILE } from '../../src/capture/pcapng.js';
import { streamConnections } from '../../src/tcp/streams.js';
import { DSB_TLS_KEY_LOG, MAX_KEY_LOG_WARNINGS } from '../../src/tls/decrypt/index.js';
import { tempDir } from '../temp-dir.js';
import { concat, decryptionSecrets, enhancedPacket, interfaceDescription, repeated, sectionHeader, SYN, tcpPacket } from './craft.js';
import { peakHeapGrowth } from './measure.js';

// Floods of tiny pcapng blocks (issue 17): before these caps each block left an object or a warning behind,
// so a gzip'd file of a few hundred KB grew the heap by gigabytes.

const dir = tempDir('tlsdiag-caps-');
const syn = tcpPacket({ src: 0x0a000001, dst: 0x0a000002, srcPort: 40000, dstPort: 443, seq: 1, flags: SYN });

describe('pcapng Interface Description Blocks per file', () => {
  it(`keeps ${MAX_INTERFACES_PER_FILE}, ignores the rest with one warning; packets on kept interfaces still read`, async () => {
    const flood = 1_000_000;
    const bytes = gzipSync(repeated(concat([sectionHeader(), interfaceDescription()]), interfaceDescription(), flood - 1, enhancedPacket(5, syn)));
    let connections = 0;
    const { value: result, peakMiB } = await peakHeapGrowth(() =>
      streamConnections(bytes, { open: () => (connections++, null) }),
    );
    expect(result.capture.error).toBeNull();
    expect(result.capture.frames).toBe(1);
    expect(connections).toBe(1);
    const warnings = result.warnings.filter((w) => w.code === 'too-many-interfaces');
    expect(warnings.length).toBe(1);
    expect(warnings[0]!.message).toContain(`more than ${MAX_INTERFACES_PER_FILE} pcapng interfaces`);
    // A million interfaces kept cost ~150 MB; the limit's 65 536 about 10.
    expect(peakMiB).toBeLessThan(64);
  });

  it('a packet on an interface past the limit stops reading with an error naming the limit', async () => {
    const bytes = repeated(sectionHeader(), interfaceDescription(), MAX_INTERFACES_PER_FILE + 2, concat([enhancedPacket(1, syn), enhancedPacket(MAX_INTERFACES_PER_FILE + 1, syn)]));
    const result = await streamConnections(bytes, { open: () => null });
    expect(result.capture.frames).toBe(1);
    expect(result.capture.error?.message).toContain(`names interface ${MAX_INTERFACES_PER_FILE + 1}, defined past the limit of ${MAX_INTERFACES_PER_FILE}`);
  });
});

describe('key log warnings of pcapng secrets blocks, per file', () => {
  const capture = (name: string, block: Uint8Array, count: number): string => {
    const path = join(dir, name);
    writeFileSync(path, gzipSync(repeated(concat([sectionHeader(), interfaceDescription()]), block, count, enhancedPacket(0, syn))));
    return path;
  };
  const keylogWarnings = (result: Awaited<ReturnType<typeof analyze>>) => result.warnings.filter((w) => w.code === 'keylog-line');

  it('200 000 secrets blocks of a type tlsdiag does not read: one warning naming the type, in little memory', async () => {
    const file = capture('unknown-secrets.pcapng.gz', decryptionSecrets(0x57474b4c, new Uint8Array(4)), 200_000);
    const { value: result, peakMiB } = await peakHeapGrowth(() => analyze(file));
    const warnings = keylogWarnings(result);
    // A type not read is said once per file, however many blocks of it come.
    expect(warnings.map((w) => w.message)).toEqual(['decryption secrets of type 0x57474b4c (WireGuard key log) are not a TLS key log; ignored']);
    expect(result.files[0]!.error).toBeNull();
    expect(peakMiB).toBeLessThan(200);
  });

  it('100 000 key log blocks with a bad line each: the same cap across blocks', async () => {
    const file = capture('bad-lines.pcapng.gz', decryptionSecrets(DSB_TLS_KEY_LOG, new TextEncoder().encode('CLIENT_RANDOM 00 11\n')), 100_000);
    const result = await analyze(file);
    const warnings = keylogWarnings(result);
    expect(warnings.length).toBe(MAX_KEY_LOG_WARNINGS + 1);
    expect(warnings[0]!.message).toContain('line 1: CLIENT_RANDOM: the client random is not 64 hex digits');
    expect(warnings[0]!.file).toContain('(pcapng secrets #1)');
    expect(warnings.at(-1)!.message).toBe(`${100_000 - MAX_KEY_LOG_WARNINGS} more warnings not listed`);
  });
});
