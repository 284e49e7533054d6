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
  // TLSDIAG_BENCH_FORMAT: json (default), jsonl or text: the output formats issue 16 holds to the same targets.
  // Only the JSON document is read back for counts; the other formats leave packets to the bench's reader row.
  const format = process.env.TLSDIAG_BENCH_FORMAT ?? 'json';
  const args = [...(format === 'json' ? ['--json'] : ['--format', format]), '--quiet', '--fail-on', 'info'];
  const workers = process.env.TLSDIAG_BENCH_WORKERS;
  if (workers !== undefined) args.push('--workers', workers);
  for (const keylog of (process.env.TLSDIAG_BENCH_KEYLOGS ?? '').split(',').filter(Boolean)) args.push('--keylog', keylog);
  const counts = { connections: 0, decrypted: 0, packets: 0, outputChars: 0 };
  // The output is looked at as little as possible, so the row measures tlsdiag, not the counting: the CLI writes
  // whole connections per write (src/cli/json-writer.ts), the document ends with the run's facts (frames read),
  // and the last connection's index gives the count. Decrypted connections are counted only when key logs are
  // given (the full-keys row).
  const countDecrypted = (process.env.TLSDIAG_BENCH_KEYLOGS ?? '') !== '';
  const DECRYPTED = '\n      "decrypted": true,';
  let last = '';
  let previous = '';
  process.stdout.write = (chunk, encoding, callback) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    counts.outputChars += text.length;
    if (countDecrypted) for (let at = text.indexOf(DECRYPTED); at >= 0; at = text.indexOf(DECRYPTED, at + 1)) counts.decrypted++;
    previous = last;
    last = text;
    const done = typeof encoding === 'function' ? encoding : callback;
    if (done) process.nextTick(done);
    return true;
  };
  const code = await main(['node', 'tlsdiag', ...args, ...files]);
  process.stdout.write = realWrite;
  if (code === 2) throw new Error(`tlsdiag (${format}) exited with 2 (unreadable input)`);
  if (format !== 'json') return { packets: null, detail: { format, outputChars: counts.outputChars, exitCode: code, startupMs } };
  const end = (previous.slice(-64 * 1024) + last).slice(-(last.length + 64 * 1024));
  const facts = JSON.parse(`{${end.slice(end.lastIndexOf('\n  "files": '))}`);
  counts.packets = facts.files.reduce((n, f) => n + f.frames, 0);
  const indices = [...end.matchAll(/\n      "index": (\d+),/g)];
  counts.connections = indices.length > 0 ? Number(indices[indices.length - 1][1]) + 1 : 0;
  return { packets: counts.packets, detail: { connections: counts.connections, decrypted: counts.decrypted, outputChars: counts.outputChars, exitCode: code, startupMs } };
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
