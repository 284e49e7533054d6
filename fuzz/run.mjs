#!/usr/bin/env node
// npm run fuzz [-- -max_total_time=SECONDS -runs=N -seed=N -timeout=SECONDS -workers=N]
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

// -workers=N runs N fuzzing loops side by side (libFuzzer's -workers), each with its own seed (seed + i), its own
// coverage map and its own hang watch; they share fuzz/corpus/ and fuzz/crashes/, and -runs counts the
// executions of all of them. On this 2-core machine -workers=2 nearly doubles the rate when nothing else runs.
const workerCount = Math.max(1, Math.floor(args.workers ?? 1));
console.log(`fuzz: ${seeds.length} seeds, seed ${seed}, ${workerCount} worker(s), ${maxTotalTime} s or ${maxRuns} runs, hang timeout ${timeoutSeconds} s`);

const started = Date.now();
let crashes = 0;
let hangs = 0;
let finished = false;

const loops = Array.from({ length: workerCount }, (_, i) => startLoop(i));

/** One fuzzing loop: its worker, the shared counters [executions, current input length, stop flag] and input. */
function startLoop(index) {
  const shared = new SharedArrayBuffer(16);
  const inputBuffer = new SharedArrayBuffer(MAX_LENGTH);
  const loop = {
    control: new Int32Array(shared),
    current: new Uint8Array(inputBuffer),
    lastExecs: 0,
    lastProgress: Date.now(),
    corpus: 0,
    features: 0,
    done: false,
    worker: new Worker(new URL('./worker.mjs', import.meta.url), {
      workerData: { seeds, seed: seed + index, maxLength: MAX_LENGTH, crashDir, corpusDir, shared, inputBuffer },
    }),
  };
  loop.worker.on('message', (m) => {
    if (m.type === 'broken') {
      console.error(`fuzz: a seed throws, so the target or the pipeline is broken; fix it before fuzzing:\n  ${m.message}`);
      process.exit(1);
    }
    if (m.type === 'crash') {
      crashes++;
      console.log(`CRASH ${m.message}\n  saved ${m.file}`);
    } else if (m.type === 'seeded' || m.type === 'new' || m.type === 'done') {
      loop.corpus = m.corpus;
      loop.features = m.features;
      if (m.type === 'seeded') console.log(`seeded (worker ${index}): corpus ${m.corpus}, features ${m.features}`);
    }
    if (m.type === 'done') endLoop(loop);
  });
  loop.worker.on('error', (e) => {
    console.log(`CRASH (worker ${index} died): ${e.stack ?? e}`);
    saveCurrent(loop, 'crash-worker');
    crashes++;
    endLoop(loop);
  });
  return loop;
}

function endLoop(loop) {
  if (loop.done) return;
  loop.done = true;
  void loop.worker.terminate();
  if (loops.every((l) => l.done)) finish();
}

function saveCurrent(loop, prefix) {
  const input = loop.current.slice(0, Atomics.load(loop.control, 1));
  mkdirSync(crashDir, { recursive: true });
  const file = join(crashDir, `${prefix}-${createHash('sha1').update(input).digest('hex').slice(0, 16)}.bin`);
  writeFileSync(file, input);
  console.log(`  saved ${file}`);
}

const totalExecutions = () => loops.reduce((sum, l) => sum + Atomics.load(l.control, 0), 0);

const timer = setInterval(() => {
  const now = Date.now();
  for (const loop of loops) {
    if (loop.done) continue;
    const execs = Atomics.load(loop.control, 0);
    if (execs !== loop.lastExecs) {
      loop.lastExecs = execs;
      loop.lastProgress = now;
    } else if (now - loop.lastProgress > timeoutSeconds * 1000) {
      hangs++;
      console.log(`HANG: one input ran more than ${timeoutSeconds} s`);
      saveCurrent(loop, 'hang');
      endLoop(loop);
    }
  }
  if (finished) return;
  const elapsed = (now - started) / 1000;
  const execs = totalExecutions();
  if (Math.round(elapsed) % 10 === 0) status(elapsed, execs);
  if (elapsed >= maxTotalTime || execs >= maxRuns) for (const loop of loops) Atomics.store(loop.control, 2, 1);
}, 1000);

function status(elapsed, execs) {
  const rss = (process.memoryUsage().rss / 1048576).toFixed(0);
  const corpus = loops.map((l) => l.corpus).join('+');
  const features = loops.map((l) => l.features).join('+');
  console.log(`#${execs} ${elapsed.toFixed(0)} s ${(execs / elapsed).toFixed(0)} exec/s corpus ${corpus} features ${features} rss ${rss} MB`);
}

function finish() {
  if (finished) return;
  finished = true;
  clearInterval(timer);
  const elapsed = (Date.now() - started) / 1000;
  const execs = totalExecutions();
  status(elapsed, execs);
  console.log(`done: ${execs} executions in ${elapsed.toFixed(1)} s, ${crashes} crash(es), ${hangs} hang(s)`);
  process.exitCode = crashes + hangs > 0 ? 1 : 0;
}
