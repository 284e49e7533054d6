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
const scriptIds = new Map();
function bucket(count) {
  if (count < 4) return count;
  if (count < 8) return 4;
  if (count < 16) return 5;
  if (count < 32) return 6;
  if (count < 128) return 7;
  return 8;
}
/** Adds the features of the last execution to `seen`; returns how many were new. */
function newFeatures() {
  const coverage = post('Profiler.takePreciseCoverage');
  let fresh = 0;
  for (const script of coverage.result) {
    if (!script.url.includes('/dist/')) continue;
    let id = scriptIds.get(script.url);
    if (id === undefined) scriptIds.set(script.url, (id = scriptIds.size));
    for (const fn of script.functions) {
      for (const range of fn.ranges) {
        if (range.count === 0) continue;
        const key = `${id}:${range.startOffset}:${range.endOffset}:${bucket(range.count)}`;
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

async function execute(input) {
  current.set(input.subarray(0, current.length));
  Atomics.store(control, 1, input.length);
  let failure = null;
  try {
    await fuzzPipeline(input);
  } catch (error) {
    failure = error;
  }
  Atomics.add(control, 0, 1);
  const fresh = newFeatures();
  if (failure !== null) saveCrash(input, failure);
  return fresh;
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
  await execute(input);
  corpus.push(input);
}
parentPort.postMessage({ type: 'seeded', corpus: corpus.length, features: seen.size });

while (Atomics.load(control, 2) === 0) {
  const base = corpus[mutator.below(corpus.length)];
  const other = corpus[mutator.below(corpus.length)];
  const input = mutator.mutate(base, other, maxLength);
  const fresh = await execute(input);
  if (fresh > 0) {
    corpus.push(input);
    const name = createHash('sha1').update(input).digest('hex');
    writeFileSync(join(corpusDir, name), input);
    parentPort.postMessage({ type: 'new', corpus: corpus.length, features: seen.size, fresh });
  }
}
parentPort.postMessage({ type: 'done', corpus: corpus.length, features: seen.size, crashes: crashes.size });
