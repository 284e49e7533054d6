#!/usr/bin/env node
// Measures the peak RSS of the CLI (dist/, `npm run build` first) over a capture of SYN-only connections:
// connections that never start TLS (issue 17, a SYN flood). Usage: node scripts/syn-flood-memory.mjs [count]
// Prints the capture size and the CLI's peak RSS; docs/limits.md quotes the figure. A measurement, not a test.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT as root } from './corpus.mjs';

const count = Number(process.argv[2] ?? 200_000);

/** Classic pcap, LINKTYPE_RAW, one IPv4 SYN per connection (distinct 4-tuples, as test/hostile/limits.test.ts). */
function synFlood(n) {
  const out = Buffer.alloc(24 + n * (16 + 40));
  out.writeUInt32LE(0xa1b2c3d4, 0);
  out.writeUInt16LE(2, 4);
  out.writeUInt16LE(4, 6);
  out.writeUInt32LE(262144, 16);
  out.writeUInt32LE(101, 20);
  for (let i = 0; i < n; i++) {
    const at = 24 + i * 56;
    out.writeUInt32LE(1_700_000_000 + Math.floor(i / 1000), at);
    out.writeUInt32LE((i % 1000) * 1000, at + 4);
    out.writeUInt32LE(40, at + 8);
    out.writeUInt32LE(40, at + 12);
    const ip = at + 16;
    out[ip] = 0x45;
    out.writeUInt16BE(40, ip + 2);
    out[ip + 8] = 64;
    out[ip + 9] = 6;
    out.writeUInt32BE(0x0a000000 + (i >> 16), ip + 12);
    out.writeUInt32BE(0x0a640001, ip + 16);
    out.writeUInt16BE(1024 + ((i & 0xffff) % 60000), ip + 20);
    out.writeUInt16BE(443 + (i >> 16) * 7 + Math.floor((i & 0xffff) / 60000), ip + 22);
    out.writeUInt32BE(i, ip + 24);
    out[ip + 32] = 5 << 4;
    out[ip + 33] = 0x02;
    out.writeUInt16BE(65535, ip + 34);
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'tlsdiag-syn-flood-'));
try {
  const capture = join(dir, 'syn-flood.pcap');
  const bytes = synFlood(count);
  writeFileSync(capture, bytes);
  const run = spawnSync('/usr/bin/time', ['-f', '%M %e', process.execPath, join(root, 'bin/tlsdiag.js'), '--json', '--quiet', capture], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const [maxKb, seconds] = run.stderr.trim().split('\n').at(-1).split(' ');
  console.log(`${count} SYN-only connections, capture ${(bytes.length / 1e6).toFixed(1)} MB: peak RSS ${(Number(maxKb) / 1024).toFixed(0)} MiB, ${seconds} s (exit ${run.status})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
