// The fuzzing loop, in a worker so the main thread can catch a hang (an input that never returns).
import { createHash } from 'node:crypto';
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { Mutator } from './mutate.mjs';
import { fuzzPipeline } from './target.mjs';

const { seeds, seed, maxLength, crashDir, corpusDir, shared, inputBuffer } = workerData;
const control = new Int32Array(shared); // [executions, current input length, stop flag]
const current = new Uint8Array(inputBuffer);

// V8 block coverage with call counts, reset at each take: the features one execution reached.
const session = new Session();
session.connect();
function post(method, params) {
  let result;
  let failure;
  session.post(method, params, (error, value) => {
    failure = error;
    result = value;
  });
  if (failure) throw failure;
  return result;
}
post('Profiler.enable');
post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });

const seen = new Set();
const seenBlocks = new Set();
const scriptIds = new Map();
function bucket(count) {
  if (count < 4) return count;
  if (count < 8) return 4;
  if (count < 16) return 5;
  if (count < 32) return 6;
  if (count < 128) return 7;
  return 8;
}
/**
 * Reads (and resets) the coverage counters since the last call. `bucketed`: the features of one execution
 * (block and count bucket) not seen before, which are then remembered; otherwise only whether a block never
 * reached before was reached (counts summed over a batch say nothing about one input).
 */
function takeCoverage(bucketed) {
  const coverage = post('Profiler.takePreciseCoverage');
  let fresh = 0;
  for (const script of coverage.result) {
    if (!script.url.includes('/dist/')) continue;
    let id = scriptIds.get(script.url);
    if (id === undefined) scriptIds.set(script.url, (id = scriptIds.size));
    for (const fn of script.functions) {
      for (const range of fn.ranges) {
        if (range.count === 0) continue;
        const block = `${id}:${range.startOffset}:${range.endOffset}`;
        if (!bucketed) {
          if (!seenBlocks.has(block)) fresh++;
          continue;
        }
        seenBlocks.add(block);
        const key = `${block}:${bucket(range.count)}`;
        if (!seen.has(key)) {
          seen.add(key);
          fresh++;
        }
      }
    }
  }
  return fresh;
}

const corpus = [];
const crashes = new Set();
const mutator = new Mutator(seed);
mkdirSync(crashDir, { recursive: true });
mkdirSync(corpusDir, { recursive: true });

/** Runs one input; counts it as an execution unless it is a re-run of a batch member. */
async function execute(input, count = true) {
  current.set(input.subarray(0, current.length));
  Atomics.store(control, 1, input.length);
  let failure = null;
  try {
    await fuzzPipeline(input);
  } catch (error) {
    failure = error;
  }
  if (count) Atomics.add(control, 0, 1);
  if (failure !== null) saveCrash(input, failure);
  return failure;
}

function saveCrash(input, error) {
  const stack = String(error?.stack ?? error);
  const top = stack.split('\n').slice(0, 3).join('\n').replace(/\d+/g, 'N');
  const signature = createHash('sha1').update(top).digest('hex').slice(0, 12);
  if (crashes.has(signature)) return;
  crashes.add(signature);
  const digest = createHash('sha1').update(input).digest('hex').slice(0, 16);
  const file = join(crashDir, `crash-${signature}-${digest}.bin`);
  writeFileSync(file, input);
  writeFileSync(`${file}.txt`, `${stack}\n`);
  parentPort.postMessage({ type: 'crash', file, message: stack.split('\n')[0] });
}

for (const input of seeds) {
  // The seeds are real captures and fixed regressions: one that throws means the target or the pipeline is
  // broken, and every mutation of it would throw the same way, so the run would find nothing while looking busy.
  const failure = await execute(input);
  if (failure !== null) {
    parentPort.postMessage({ type: 'broken', message: String(failure?.stack ?? failure).split('\n').slice(0, 3).join('\n') });
    await new Promise(() => {}); // the main thread ends the run
  }
  takeCoverage(true);
  corpus.push(input);
}
parentPort.postMessage({ type: 'seeded', corpus: corpus.length, features: seen.size });

// Coverage is read once per batch (reading it costs several executions); only a batch that reached a new
// block, and every eighth batch (for count buckets), is run again input by input to find what to keep.
const BATCH = 16;
for (let batchNumber = 0; Atomics.load(control, 2) === 0; batchNumber++) {
  const batch = [];
  for (let i = 0; i < BATCH; i++) {
    const base = corpus[mutator.below(corpus.length)];
    const other = corpus[mutator.below(corpus.length)];
    const input = mutator.mutate(base, other, maxLength);
    batch.push(input);
    await execute(input);
  }
  if (takeCoverage(false) === 0 && batchNumber % 8 !== 0) continue;
  for (const input of batch) {
    await execute(input, false);
    const fresh = takeCoverage(true);
    if (fresh === 0) continue;
    corpus.push(input);
    writeFileSync(join(corpusDir, createHash('sha1').update(input).digest('hex')), input);
    parentPort.postMessage({ type: 'new', corpus: corpus.length, features: seen.size, fresh });
  }
}
parentPort.postMessage({ type: 'done', corpus: corpus.length, features: seen.size, crashes: crashes.size });
