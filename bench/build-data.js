// Builds the benchmark captures from real recordings: the corpus handshakes (captures/mtls, captures/server) and
// one recorded bulk HTTPS transfer, each copied many times with rewritten addresses so every copy is a distinct
// set of TCP connections. Checksums are left alone (tlsdiag does not check them, neither does tshark by default).
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
export const DATA_DIR = join(here, 'data');

const LINKTYPE_ETHERNET = 1;
const ETHERNET_HEADER = 14;
/** Microseconds between consecutive packets of the output: a steady clock keeps idle timeouts out of play. */
const TICK_US = 10;

/** Packets of one classic pcap file (µs or ns, either byte order), Ethernet only. */
export function readPcapPackets(path) {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicLe = view.getUint32(0, true);
  const le = magicLe === 0xa1b2c3d4 || magicLe === 0xa1b23c4d;
  const linkType = view.getUint32(20, le);
  if (linkType !== LINKTYPE_ETHERNET) throw new Error(`${path}: link type ${linkType}, the bench takes Ethernet captures`);
  const packets = [];
  for (let pos = 24; pos + 16 <= bytes.length; ) {
    const caplen = view.getUint32(pos + 8, le);
    const origlen = view.getUint32(pos + 12, le);
    if (pos + 16 + caplen > bytes.length) break;
    packets.push({ data: bytes.subarray(pos + 16, pos + 16 + caplen), origlen });
    pos += 16 + caplen;
  }
  return packets;
}

/**
 * Rewrites a copy's addresses in place: IPv4 x.a.b.c gets a.b.c = copy number (24 bits), IPv6 bytes 13-15 of
 * both addresses likewise, so the same copy's endpoints still pair up and copies never share a 4-tuple.
 */
function rewriteAddresses(out, at, copy) {
  const etherType = (out[at + 12] << 8) | out[at + 13];
  const ip = at + ETHERNET_HEADER;
  const b1 = (copy >>> 16) & 0xff;
  const b2 = (copy >>> 8) & 0xff;
  const b3 = copy & 0xff;
  if (etherType === 0x0800) {
    for (const a of [ip + 12, ip + 16]) {
      out[a + 1] = b1;
      out[a + 2] = b2;
      out[a + 3] = b3;
    }
  } else if (etherType === 0x86dd) {
    for (const a of [ip + 8, ip + 24]) {
      out[a + 13] = b1;
      out[a + 14] = b2;
      out[a + 15] = b3;
    }
  }
}

/** Streams pcap records into a file through one large reused buffer. */
class PcapWriter {
  /** `target`: a path, or an open file descriptor (1 streams to standard output). */
  constructor(target) {
    this.ownsFd = typeof target !== 'number';
    this.fd = this.ownsFd ? openSync(target, 'w') : target;
    this.buf = Buffer.allocUnsafe(8 * 1024 * 1024);
    this.pos = 0;
    this.bytes = 0;
    this.packets = 0;
    this.clockUs = 1_767_225_600 * 1e6; // 2026-01-01
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b2c3d4, 0);
    header.writeUInt16LE(2, 4);
    header.writeUInt16LE(4, 6);
    header.writeUInt32LE(262144, 16);
    header.writeUInt32LE(LINKTYPE_ETHERNET, 20);
    this.put(header);
  }

  put(chunk) {
    if (this.pos + chunk.length > this.buf.length) this.flush();
    chunk.copy ? chunk.copy(this.buf, this.pos) : this.buf.set(chunk, this.pos);
    this.pos += chunk.length;
    this.bytes += chunk.length;
  }

  packet(data, origlen, copy) {
    if (this.pos + 16 + data.length > this.buf.length) this.flush();
    const b = this.buf;
    const at = this.pos;
    this.clockUs += TICK_US;
    b.writeUInt32LE(Math.floor(this.clockUs / 1e6), at);
    b.writeUInt32LE(this.clockUs % 1e6, at + 4);
    b.writeUInt32LE(data.length, at + 8);
    b.writeUInt32LE(origlen, at + 12);
    b.set(data, at + 16);
    rewriteAddresses(b, at + 16, copy);
    this.pos += 16 + data.length;
    this.bytes += 16 + data.length;
    this.packets++;
  }

  flush() {
    let done = 0;
    while (done < this.pos) {
      try {
        done += writeSync(this.fd, this.buf, done, this.pos - done);
      } catch (e) {
        if (e.code !== 'EAGAIN') throw e; // a non-blocking pipe that is full: try again
      }
    }
    this.pos = 0;
  }

  close() {
    this.flush();
    if (this.ownsFd) closeSync(this.fd);
  }
}

/** The corpus handshakes: every Ethernet pcap in captures/mtls and captures/server. */
export function corpusSources() {
  const sources = [];
  for (const dir of ['captures/mtls', 'captures/server']) {
    const full = join(root, dir);
    if (!existsSync(full)) continue;
    for (const name of readdirSync(full).sort()) {
      if (!name.endsWith('.pcap')) continue;
      try {
        sources.push({ name: `${dir}/${name}`, packets: readPcapPackets(join(full, name)) });
      } catch (e) {
        process.stderr.write(`bench: skipping ${dir}/${name}: ${e.message}\n`);
      }
    }
  }
  return sources;
}

/** The recorded bulk transfer, recorded once into bench/data/source/. */
export function bulkSource() {
  const path = join(DATA_DIR, 'source', 'bulk-20MiB.pcap');
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    process.stderr.write('bench: recording a 20 MiB HTTPS download (openssl s_server -WWW, curl, tcpdump) …\n');
    execFileSync('sh', [join(here, 'record-bulk.sh'), path, '20', '24443'], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  return { name: 'bulk-20MiB.pcap', packets: readPcapPackets(path) };
}

/**
 * Writes `path` of about `targetBytes`: rounds of the given sources, each round a new copy number. With
 * `interleave`, the packets of one round's sources are merged round-robin so their connections overlap.
 */
export function buildCapture(path, sources, targetBytes, { interleave = false, copyOffset = 0 } = {}) {
  const writer = new PcapWriter(path);
  let copy = copyOffset;
  while (writer.bytes < targetBytes) {
    if (interleave) {
      // Each source gets its own copy number and emits a share proportional to its length on every turn, so
      // all of a round's connections are open at the same time.
      const turns = 1000;
      const cursors = sources.map(() => 0);
      for (let turn = 0; turn < turns; turn++) {
        for (let s = 0; s < sources.length; s++) {
          const packets = sources[s].packets;
          const until = Math.ceil(((turn + 1) * packets.length) / turns);
          while (cursors[s] < until) {
            const p = packets[cursors[s]++];
            writer.packet(p.data, p.origlen, (copy + s) & 0xffffff);
          }
        }
      }
      copy += sources.length;
    } else {
      for (const source of sources) {
        for (const p of source.packets) writer.packet(p.data, p.origlen, copy & 0xffffff);
        copy++;
      }
    }
  }
  writer.close();
  return { path, bytes: writer.bytes, packets: writer.packets };
}

export function parseSize(text) {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]?)i?B?$/i.exec(text.trim());
  if (!m) throw new Error(`expected a size like 300M or 1G, got ${text}`);
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2].toUpperCase()];
  return Math.round(Number(m[1]) * unit);
}

/** Builds (or reuses, when the same size exists) the three bench captures. */
export function buildAll(sizeBytes) {
  mkdirSync(DATA_DIR, { recursive: true });
  const label = `${Math.round(sizeBytes / 1024 / 1024)}M`;
  const mixedBytes = Math.min(sizeBytes, 300 * 1024 * 1024);
  const files = {
    handshake: join(DATA_DIR, `handshake-heavy-${label}.pcap`),
    bulk: join(DATA_DIR, `bulk-heavy-${label}.pcap`),
    mixed: join(DATA_DIR, `mixed-${Math.round(mixedBytes / 1024 / 1024)}M.pcap`),
  };
  let corpus = null;
  let bulk = null;
  const need = (p, min) => !existsSync(p) || statSync(p).size < min;
  if (need(files.handshake, sizeBytes)) {
    corpus ??= corpusSources();
    process.stderr.write(`bench: writing ${files.handshake} …\n`);
    buildCapture(files.handshake, corpus, sizeBytes);
  }
  if (need(files.bulk, sizeBytes)) {
    bulk ??= bulkSource();
    process.stderr.write(`bench: writing ${files.bulk} …\n`);
    buildCapture(files.bulk, [bulk], sizeBytes);
  }
  if (need(files.mixed, mixedBytes)) {
    corpus ??= corpusSources();
    bulk ??= bulkSource();
    process.stderr.write(`bench: writing ${files.mixed} …\n`);
    // One bulk transfer overlapping with the corpus handshakes: about half the bytes each.
    const corpusBytes = corpus.reduce((n, s) => n + s.packets.reduce((m, p) => m + p.data.length + 16, 0), 0);
    const bulkBytes = bulk.packets.reduce((m, p) => m + p.data.length + 16, 0);
    const passes = Math.max(1, Math.round(bulkBytes / corpusBytes));
    const round = [bulk];
    for (let i = 0; i < passes; i++) round.push(...corpus);
    buildCapture(files.mixed, round, mixedBytes, { interleave: true });
  }
  return files;
}
