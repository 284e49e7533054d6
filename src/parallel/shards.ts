import { Worker } from 'node:worker_threads';
import { pickInputs } from '../analysis-inputs.js';
import { connectionStream, type AnalyzeProgress, type ConnectionStream, type StreamOptions } from '../analysis-options.js';
import type { AnalysisSummary, AnalysisWarning, ConnectionReport } from '../model/types.js';
import { randomKeyWords } from '../tcp/tuple-hash.js';
import type { PoolMessage, WorkerMessage, WorkerSettings } from './messages.js';
import { Wakeup } from './wakeup.js';

/**
 * One capture on `workers` threads: every thread reads the whole file and analyses the connections whose
 * 4-tuple hashes to its share (FlowShard: the framing costs each thread a fraction of a second per GB, the
 * handshakes are what is shared), and the connections are merged here by first frame, as one thread yields
 * them. Each thread sends at most MAX_BATCHES_IN_FLIGHT batches ahead of the merge, so the merge holds a few
 * hundred connections, not a thread's whole output. The filter runs here, after the rules. A regular file
 * only: a pipe or standard input cannot be read by several threads, and a gzip'd file would be inflated by each.
 */
export function analyzeFileInShards(file: string, options: StreamOptions & { workers: number }): ConnectionStream {
  return connectionStream(async function* run() {
    const settings: WorkerSettings = { inputs: pickInputs(options), reorderWindow: options.reorderWindow, progress: options.onProgress !== undefined };
    const count = options.workers;
    const key = Array.from(randomKeyWords());
    // Per shard: batches received and not yet merged (the first one partly taken from `taken[i]` on).
    const batches: ConnectionReport[][][] = [];
    const taken: number[] = [];
    const summaries: Array<AnalysisSummary | null> = [];
    const progress: Array<{ bytesRead: number; connections: number }> = [];
    let failure: Error | null = null;
    const wakeup = new Wakeup();
    const notify = (): void => wakeup.notify();
    const threads: Worker[] = [];
    const stopped = new Set<Worker>();
    const workerUrl = new URL('./worker.js', import.meta.url);
    const send = (thread: Worker, message: PoolMessage): void => thread.postMessage(message);
    for (let index = 0; index < count; index++) {
      batches.push([]);
      taken.push(0);
      summaries.push(null);
      progress.push({ bytesRead: 0, connections: 0 });
      const thread = new Worker(workerUrl, { workerData: settings });
      threads.push(thread);
      thread.on('message', (message: WorkerMessage) => {
        if (message.type === 'progress') {
          progress[index] = message;
          options.onProgress?.(overallProgress(file, progress));
        } else if (message.type === 'connections') {
          batches[index]!.push(message.connections);
        } else if (message.type === 'result') {
          summaries[index] = message.summary;
          stopped.add(thread);
          void thread.terminate();
        } else {
          failure ??= new Error(`${file}: ${message.message}`);
        }
        notify();
      });
      thread.on('error', (error) => {
        failure ??= error;
        notify();
      });
      thread.on('exit', (code) => {
        if (stopped.has(thread)) return;
        failure ??= new Error(`a worker thread stopped early with exit code ${code}`);
        notify();
      });
      send(thread, { type: 'file', index: 0, file, shard: { index, count, key } });
    }
    const abort = (): void => threads.forEach((thread) => !stopped.has(thread) && send(thread, { type: 'stop' }));
    options.signal?.addEventListener('abort', abort, { once: true });
    if (options.signal?.aborted) abort();
    try {
      let index = 0;
      for (;;) {
        if (failure) throw failure;
        // The next connection is the earliest head among the shards; a shard with nothing waiting and not done
        // may still send an earlier one.
        let next = -1;
        let waiting = false;
        for (let shard = 0; shard < count; shard++) {
          const head = batches[shard]![0];
          if (head === undefined) {
            if (summaries[shard] === null) waiting = true;
            continue;
          }
          if (next < 0 || head[taken[shard]!]!.firstFrame < batches[next]![0]![taken[next]!]!.firstFrame) next = shard;
        }
        if (waiting) {
          await wakeup.wait();
          continue;
        }
        if (next < 0) break;
        const batch = batches[next]!;
        const connection = batch[0]![taken[next]!++]!;
        if (taken[next] === batch[0]!.length) {
          batch.shift();
          taken[next] = 0;
          if (!stopped.has(threads[next]!)) send(threads[next]!, { type: 'taken' });
        }
        if (options.filter && !options.filter(connection)) continue;
        connection.index = index++;
        yield connection;
      }
      return mergeShardSummaries(summaries as AnalysisSummary[]);
    } finally {
      options.signal?.removeEventListener('abort', abort);
      for (const thread of threads) {
        stopped.add(thread);
        void thread.terminate();
      }
    }
  });
}

/** The file as far as every shard read it, and the connections all of them finished. */
function overallProgress(file: string, shards: Array<{ bytesRead: number; connections: number }>): AnalyzeProgress {
  let bytesRead = Infinity;
  let connections = 0;
  for (const shard of shards) {
    bytesRead = Math.min(bytesRead, shard.bytesRead);
    connections += shard.connections;
  }
  return { file, bytesRead, connections };
}

/**
 * The facts of one file read by every shard: its `files` line (the same in each), and each warning once —
 * what every shard reads alike (the capture, the key logs) says the same in each; what concerns the shard's
 * own connections (the reassembly's limits) is kept from each shard that gave it; a --key file matched no
 * server certificate of the capture only when it matched none in any shard.
 */
export function mergeShardSummaries(shards: AnalysisSummary[]): AnalysisSummary {
  const first = shards[0]!;
  const warnings: AnalysisWarning[] = [];
  const seen = new Map<string, number>();
  for (const shard of shards) {
    for (const warning of shard.warnings) {
      const key = `${warning.file}\u0000${warning.code}\u0000${warning.message}`;
      const times = (seen.get(key) ?? 0) + 1;
      seen.set(key, times);
      if (times === 1) warnings.push(warning);
    }
  }
  const unmatchedEverywhere = (w: AnalysisWarning): boolean => seen.get(`${w.file}\u0000${w.code}\u0000${w.message}`) === shards.length;
  return { ...first, warnings: warnings.filter((w) => w.code !== 'key-unmatched' || unmatchedEverywhere(w)) };
}
