// One benchmark row, run in its own process so its peak RSS is its own: node bench/row.js <kind> <file...>
// Prints one JSON line: { ms, bytes, packets, maxRssKiB, detail }.
import 'reflect-metadata';
import { openSync, readSync, closeSync, statSync, createReadStream } from 'node:fs';
import { performance } from 'node:perf_hooks';

const [kind, ...files] = process.argv.slice(2);
const realWrite = process.stdout.write.bind(process.stdout);
const distUrl = new URL('../dist/', import.meta.url);
const bytes = files.reduce((n, f) => n + (f === '-' ? 0 : statSync(f).size), 0);

async function plainRead() {
  // The page-cache floor: 1 MiB positional reads into one buffer, nothing else.
  const buf = Buffer.allocUnsafe(1024 * 1024);
  for (const file of files) {
    const fd = openSync(file, 'r');
    while (readSync(fd, buf, 0, buf.length, null) > 0);
    closeSync(fd);
  }
  return { packets: null };
}

async function pcapParser() {
  const { default: pcapp } = await import('pcap-parser');
  let packets = 0;
  for (const file of files) {
    await new Promise((resolve, reject) => {
      const parser = pcapp.parse(createReadStream(file, { highWaterMark: 1024 * 1024 }));
      parser.on('packet', () => packets++);
      parser.on('end', resolve);
      parser.on('error', reject);
    });
  }
  return { packets };
}

async function reader() {
  const { readCapture } = await import(new URL('capture/index.js', distUrl).href);
  let packets = 0;
  let payload = 0;
  for (const file of files) {
    await readCapture(file, {
      frame: (f) => {
        packets++;
        payload += f.capturedLength;
      },
    });
  }
  return { packets, detail: { payload } };
}

async function readerTcp() {
  const { streamConnections } = await import(new URL('tcp/streams.js', distUrl).href);
  let packets = 0;
  let connections = 0;
  let delivered = 0;
  // Keeps every byte of every stream flowing to a handler that counts them: reassembly's full cost.
  const consumer = {
    open: () => {
      connections++;
      return { data: (_d, data) => (delivered += data.length), gap: () => {}, end: () => {} };
    },
  };
  for (const file of files) {
    const r = await streamConnections(file, consumer);
    packets += r.capture.frames;
  }
  return { packets, detail: { connections, delivered } };
}

async function full() {
  // Exactly `tlsdiag --json` (src/cli/main.ts, the streaming path), so the peak RSS is the CLI's. Its standard
  // output goes to a counting sink standing in for /dev/null; the counts come from the JSON text itself.
  // Loading the modules (x509, asn1 …) is part of what a user waits for; it is also reported on its own.
  const loadStart = performance.now();
  const { main } = await import(new URL('cli/main.js', distUrl).href);
  const startupMs = performance.now() - loadStart;
  const args = ['--json', '--quiet', '--fail-on', 'info'];
  const workers = process.env.TLSDIAG_BENCH_WORKERS;
  if (workers !== undefined) args.push('--workers', workers);
  for (const keylog of (process.env.TLSDIAG_BENCH_KEYLOGS ?? '').split(',').filter(Boolean)) args.push('--keylog', keylog);
  const counts = { connections: 0, decrypted: 0, packets: 0, outputBytes: 0 };
  // Counted with indexOf over each write (a regex over ~2 bytes of JSON per byte of capture cost the row 5 %);
  // a match may straddle two writes, so the end of the previous one is kept. Frames read come from the
  // document's closing `files` (docs/output.md: connections come first, the run's facts last).
  const CONNECTION = '\n    {\n      "index": ';
  const DECRYPTED = '\n      "decrypted": true,';
  let tail = '';
  const occurrences = (text, needle, from) => {
    let n = 0;
    for (let at = text.indexOf(needle, from); at >= 0; at = text.indexOf(needle, at + needle.length)) n++;
    return n;
  };
  const count = (text) => {
    const joined = tail + text;
    // Start far enough back to see a match that began in the kept tail but ends in this write.
    const from = Math.max(0, tail.length - DECRYPTED.length);
    counts.connections += occurrences(joined, CONNECTION, from) - occurrences(tail, CONNECTION, from);
    counts.decrypted += occurrences(joined, DECRYPTED, from) - occurrences(tail, DECRYPTED, from);
    tail = joined.slice(-64 * 1024);
    counts.outputBytes += Buffer.byteLength(text);
  };
  process.stdout.write = (chunk, encoding, callback) => {
    count(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const done = typeof encoding === 'function' ? encoding : callback;
    if (done) process.nextTick(done);
    return true;
  };
  const code = await main(['node', 'tlsdiag', ...args, ...files]);
  process.stdout.write = realWrite;
  const filesJson = tail.slice(tail.lastIndexOf('\n  "files": ') + '\n  "files": '.length, tail.lastIndexOf('\n  "warnings": ')).replace(/,$/, '');
  counts.packets = JSON.parse(filesJson).reduce((n, f) => n + f.frames, 0);
  if (code === 2) throw new Error('tlsdiag --json exited with 2 (unreadable input)');
  return { packets: counts.packets, detail: { connections: counts.connections, decrypted: counts.decrypted, outputBytes: counts.outputBytes, exitCode: code, startupMs } };
}

const kinds = { 'plain-read': plainRead, 'pcap-parser': pcapParser, reader, 'reader-tcp': readerTcp, full };
const run = kinds[kind];
// The row's own failure (e.g. out of memory) is reported as a row, not a crash of the bench.
if (!run) {
  process.stderr.write(`row.js: unknown kind ${kind}; expected one of ${Object.keys(kinds).join(', ')}\n`);
  process.exit(2);
}
const start = performance.now();
const cpuStart = process.cpuUsage();
const outcome = await run();
const ms = performance.now() - start;
// CPU time of the main thread and any worker threads: a steadier figure than wall time on a shared machine.
const cpu = process.cpuUsage(cpuStart);
const cpuMs = (cpu.user + cpu.system) / 1000;
process.stdout.write(JSON.stringify({ kind, ms, cpuMs, bytes, packets: outcome.packets, maxRssKiB: process.resourceUsage().maxRSS, detail: outcome.detail ?? null }) + '\n');
