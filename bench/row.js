// One benchmark row, run in its own process so its peak RSS is its own: node bench/row.js <kind> <file...>
// Prints one JSON line: { ms, bytes, packets, maxRssKiB, detail }.
import 'reflect-metadata';
import { openSync, readSync, closeSync, statSync, createReadStream, createWriteStream } from 'node:fs';
import { performance } from 'node:perf_hooks';

const [kind, ...files] = process.argv.slice(2);
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
  // Loading the modules (x509, asn1 …) is part of what a user waits for; it is also reported on its own.
  const loadStart = performance.now();
  const { analyze } = await import(new URL('analyze.js', distUrl).href);
  const { renderJsonChunks } = await import(new URL('report/json.js', distUrl).href);
  const startupMs = performance.now() - loadStart;
  const options = {};
  const workers = process.env.TLSDIAG_BENCH_WORKERS;
  if (workers !== undefined) options.workers = Number(workers);
  const result = await analyze(files, options);
  // As the CLI writes --json: in pieces batched to ~1 MB (one string cannot hold a large capture's report).
  const out = createWriteStream('/dev/null');
  const put = (text) => new Promise((resolve, reject) => out.write(text, (e) => (e ? reject(e) : resolve())));
  let batch = '';
  for (const piece of renderJsonChunks(result)) {
    batch += piece;
    if (batch.length >= 1 << 20) {
      await put(batch);
      batch = '';
    }
  }
  await put(batch);
  out.end();
  const packets = result.files.reduce((n, f) => n + f.frames, 0);
  const findings = result.connections.reduce((n, c) => n + c.findings.length, 0);
  return { packets, detail: { connections: result.connections.length, findings, startupMs } };
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
