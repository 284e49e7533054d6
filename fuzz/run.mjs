#!/usr/bin/env node
// npm run fuzz [-- -max_total_time=SECONDS -runs=N -seed=N -timeout=SECONDS]
// Coverage-guided fuzzing of the whole pipeline from capture bytes. Jazzer.js was the first choice, but its
// native part needs glibc 2.38 (Debian 12 has 2.36) and the npm package has no sources to build it from,
// so coverage comes from V8 itself (inspector block coverage with counts, libFuzzer-style buckets).
// Seeds: the corpus captures, the regression inputs, fuzz/seeds/ and what earlier runs kept in fuzz/corpus/.
// Crashes (an exception escaping the pipeline) and hangs go to fuzz/crashes/.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';

const ROOT = resolve(import.meta.dirname, '..');
const MAX_LENGTH = 256 * 1024;
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^-+([a-z_]+)=(.*)$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}; expected -name=value`);
    return [m[1], Number(m[2])];
  }),
);
const maxTotalTime = args.max_total_time ?? 60;
const maxRuns = args.runs ?? Infinity;
const timeoutSeconds = args.timeout ?? 10;
const seed = args.seed ?? (Date.now() % 0x7fffffff);
const crashDir = join(ROOT, 'fuzz/crashes');
const corpusDir = join(ROOT, 'fuzz/corpus');

function filesUnder(dir, accept) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) out.push(...filesUnder(path, accept));
    else if (accept(name) && st.size <= MAX_LENGTH) out.push(path);
  }
  return out;
}
const captureFile = (n) => /\.(pcap|pcapng|cap|gz)$/.test(n);
const seedFiles = [
  ...['mtls', 'server', 'formats', 'tcp'].flatMap((d) => filesUnder(join(ROOT, 'captures', d), captureFile)),
  ...filesUnder(join(ROOT, 'test/fixtures/handshake/captures'), captureFile),
  ...filesUnder(join(ROOT, 'test/regressions'), (n) => captureFile(n) || n.endsWith('.bin')),
  // Hand-built hostile inputs (issue 17), kept in step with test/hostile/craft.ts by test/hostile/fuzz-seeds.test.ts.
  ...filesUnder(join(ROOT, 'fuzz/seeds'), captureFile),
  ...filesUnder(corpusDir, () => true),
];
const seeds = seedFiles.map((f) => new Uint8Array(readFileSync(f)));

const shared = new SharedArrayBuffer(16);
const inputBuffer = new SharedArrayBuffer(MAX_LENGTH);
const control = new Int32Array(shared);
const current = new Uint8Array(inputBuffer);
console.log(`fuzz: ${seeds.length} seeds, seed ${seed}, ${maxTotalTime} s or ${maxRuns} runs, hang timeout ${timeoutSeconds} s`);

const started = Date.now();
let crashes = 0;
let hangs = 0;
let corpusSize = 0;
let features = 0;
let lastExecs = 0;
let lastProgress = Date.now();
let finished = false;

const worker = new Worker(new URL('./worker.mjs', import.meta.url), {
  workerData: { seeds, seed, maxLength: MAX_LENGTH, crashDir, corpusDir, shared, inputBuffer },
});
worker.on('message', (m) => {
  if (m.type === 'broken') {
    console.error(`fuzz: a seed throws, so the target or the pipeline is broken; fix it before fuzzing:\n  ${m.message}`);
    process.exit(1);
  }
  if (m.type === 'crash') {
    crashes++;
    console.log(`CRASH ${m.message}\n  saved ${m.file}`);
  } else if (m.type === 'seeded' || m.type === 'new' || m.type === 'done') {
    corpusSize = m.corpus;
    features = m.features;
    if (m.type === 'seeded') console.log(`seeded: corpus ${m.corpus}, features ${m.features}`);
  }
  if (m.type === 'done') finish();
});
worker.on('error', (e) => {
  console.log(`CRASH (worker died): ${e.stack ?? e}`);
  saveCurrent('crash-worker');
  crashes++;
  finish();
});

function saveCurrent(prefix) {
  const input = current.slice(0, Atomics.load(control, 1));
  mkdirSync(crashDir, { recursive: true });
  const file = join(crashDir, `${prefix}-${createHash('sha1').update(input).digest('hex').slice(0, 16)}.bin`);
  writeFileSync(file, input);
  console.log(`  saved ${file}`);
}

const timer = setInterval(() => {
  const execs = Atomics.load(control, 0);
  const now = Date.now();
  if (execs !== lastExecs) {
    lastExecs = execs;
    lastProgress = now;
  } else if (now - lastProgress > timeoutSeconds * 1000) {
    hangs++;
    console.log(`HANG: one input ran more than ${timeoutSeconds} s`);
    saveCurrent('hang');
    void worker.terminate();
    finish();
    return;
  }
  const elapsed = (now - started) / 1000;
  if (Math.round(elapsed) % 10 === 0) status(elapsed, execs);
  if (elapsed >= maxTotalTime || execs >= maxRuns) Atomics.store(control, 2, 1);
}, 1000);

function status(elapsed, execs) {
  const rss = (process.memoryUsage().rss / 1048576).toFixed(0);
  console.log(`#${execs} ${elapsed.toFixed(0)} s ${(execs / elapsed).toFixed(0)} exec/s corpus ${corpusSize} features ${features} rss ${rss} MB`);
}

function finish() {
  if (finished) return;
  finished = true;
  clearInterval(timer);
  const elapsed = (Date.now() - started) / 1000;
  const execs = Atomics.load(control, 0);
  status(elapsed, execs);
  console.log(`done: ${execs} executions in ${elapsed.toFixed(1)} s, ${crashes} crash(es), ${hangs} hang(s)`);
  process.exitCode = crashes + hangs > 0 ? 1 : 0;
  void worker.terminate();
}
