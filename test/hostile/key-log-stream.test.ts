import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { KeyLog, MAX_KEY_LOG_LINE_LENGTH } from '../../src/tls/decrypt/index.js';
import { tempDir } from '../temp-dir.js';
import { peakHeapGrowth } from './measure.js';
import { pcapOf, SYN, tcpPacket } from './craft.js';

// Key logs are read as a stream (issue 17: a key log over 512 MiB was dropped whole, valid lines too, with
// "Invalid string length", and 400 MB of key log cost 942 MB of memory).

const dir = tempDir('tlsdiag-keylog-');
const MiB = 1024 * 1024;
const random = (i: number) => i.toString(16).padStart(64, '0');
const line = (i: number) => `CLIENT_RANDOM ${random(i)} ${'ab'.repeat(48)}\n`;

/** line(1), then a 520 MiB "line" of NUL bytes (a hole: sparse, no disk written), then line(2). */
function hugeKeyLog(): string {
  const path = join(dir, 'huge.keys');
  const fd = openSync(path, 'w');
  writeSync(fd, line(1));
  writeSync(fd, `\n${line(2)}`, 520 * MiB);
  closeSync(fd);
  return path;
}

describe('key logs are streamed line by line', () => {
  it(`a 520 MiB key log: the valid lines on both sides of a 520 MiB line are kept, that line skipped, memory small`, async () => {
    const path = hugeKeyLog();
    const keys = new KeyLog();
    const { value: warnings, peakMiB } = await peakHeapGrowth(() => keys.addFile(path));
    expect(warnings).toEqual([{ line: 2, message: `line is longer than ${MAX_KEY_LOG_LINE_LENGTH} characters; skipped`, source: path }]);
    expect(keys.has(Buffer.from(random(1), 'hex'))).toBe(true);
    expect(keys.has(Buffer.from(random(2), 'hex'))).toBe(true);
    expect(peakMiB).toBeLessThan(64);
  });

  it('analyze() with that key log reads it (no keylog-unreadable)', async () => {
    const capture = join(dir, 'one.pcap');
    writeFileSync(capture, pcapOf([tcpPacket({ src: 0x0a000001, dst: 0x0a000002, srcPort: 40000, dstPort: 443, seq: 1, flags: SYN })]));
    const result = await analyze(capture, { keyLogFiles: [hugeKeyLog()] });
    expect(result.warnings.map((w) => w.code)).toEqual(['keylog-line']);
  });

  it('lines split across read chunks, CRLF, a last line without newline and a BOM read as in one string', async () => {
    const text = `\uFEFF${line(1).trimEnd()}\r\n# comment\n${'x'.repeat(MAX_KEY_LOG_LINE_LENGTH + 1)}\n${line(3)}${line(4).trimEnd()}`;
    const path = join(dir, 'mixed.keys');
    // 1 MiB - 4 bytes of comments: the first read ends inside the byte order mark's line.
    const padding = '#\n'.repeat(1024 * 1024 / 2 - 2);
    writeFileSync(path, padding + text);
    const streamed = new KeyLog();
    const warnings = await streamed.addFile(path, 'k');
    const whole = new KeyLog();
    expect(warnings).toEqual(whole.addText(padding + text, 'k'));
    expect(warnings).toEqual([{ line: 1024 * 1024 / 2 - 2 + 3, message: `line is longer than ${MAX_KEY_LOG_LINE_LENGTH} characters; skipped`, source: 'k' }]);
    for (const i of [1, 3, 4]) expect(streamed.has(Buffer.from(random(i), 'hex'))).toBe(true);
    expect(streamed.size).toBe(3);
  });
});
