import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const MiB = 1024 * 1024;

/** Peak heap growth while `run` works, sampled every few milliseconds (a bound, not a precise figure). */
export async function peakHeapGrowth<T>(run: () => Promise<T>): Promise<{ value: T; peakMiB: number; ms: number }> {
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 5);
  const started = performance.now();
  const value = await run();
  const ms = performance.now() - started;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  return { value, peakMiB: (peak - before) / MiB, ms };
}

/** V8's full collection, without starting node with --expose-gc (this test process only). */
function fullGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * Heap still held, after a full collection, by what `make` built and keeps, per item it reports making: a
 * deterministic figure (the peak of peakHeapGrowth depends on when V8 collects).
 */
export async function retainedHeap(make: () => number): Promise<number> {
  const gc = fullGc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const items = make();
  gc();
  return (process.memoryUsage().heapUsed - before) / items;
}
