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
