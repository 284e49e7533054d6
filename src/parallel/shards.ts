import { Worker } from 'node:worker_threads';
import { pickInputs } from '../analysis-inputs.js';
import { connectionStream, type AnalyzeProgress, type ConnectionStream, type StreamOptions } from '../analysis-options.js';
import type { AnalysisSummary, AnalysisWarning, ConnectionReport } from '../model/types.js';
import { randomKeyWords } from '../tcp/tuple-hash.js';
import type { PoolMessage, WorkerMessage, WorkerSettings } from './messages.js';
import { Wakeup } from './wakeup.js';

/** One thread's share as the merge sees it. */
interface Shard {
  thread: Worker;
  /** Batches received and not yet merged; the first one is merged from `taken` on. */
  batches: ConnectionReport[][];
  taken: number;
  /** Its facts, once its last connection was sent; the thread is then ended. */
  summary: AnalysisSummary | null;
  /** Ended by the pool (done, or the run is over): its exit is no failure, and nothing more is sent to it. */
  stopped: boolean;
  progress: { bytesRead: number; connections: number };
}

/**
 * One capture on `workers` threads: every thread reads the whole file and analyses the connections whose
 * 4-tuple hashes to its share (FlowShard: the framing costs each thread a fraction of a second per GB, the
 * handshakes are what is shared), and the connections are merged here by first frame, as one thread yields
 * them. Each thread sends at most MAX_BATCHES_IN_FLIGHT batches ahead of the merge, so the merge holds about a
 * thousand connections per thread, not its whole output. The filter runs here, after the rules. A regular file
 * only: a pipe or standard input cannot be read by several threads, and a gzip'd file would be inflated by each.
 */
export function analyzeFileInShards(file: string, options: StreamOptions & { workers: number }): ConnectionStream {
  return connectionStream(async function* run() {
    const settings: WorkerSettings = { inputs: pickInputs(options), reorderWindow: options.reorderWindow, progress: options.onProgress !== undefined };
    const count = options.workers;
    const key = Array.from(randomKeyWords());
    const shards: Shard[] = [];
    let failure: Error | null = null;
    const wakeup = new Wakeup();
    const fail = (error: Error): void => {
      failure ??= error;
      wakeup.notify();
    };
    const send = (shard: Shard, message: PoolMessage): void => {
      if (!shard.stopped) shard.thread.postMessage(message);
    };
    const stop = (shard: Shard): void => {
      shard.stopped = true;
      void shard.thread.terminate();
    };
    const workerUrl = new URL('./worker.js', import.meta.url);
    for (let index = 0; index < count; index++) {
      const shard: Shard = {
        thread: new Worker(workerUrl, { workerData: settings }),
        batches: [],
        taken: 0,
        summary: null,
        stopped: false,
        progress: { bytesRead: 0, connections: 0 },
      };
      shards.push(shard);
      shard.thread.on('message', (message: WorkerMessage) => {
        if (message.type === 'progress') {
          shard.progress = message;
          options.onProgress?.(overallProgress(file, shards));
        } else if (message.type === 'connections') {
          shard.batches.push(message.connections);
        } else if (message.type === 'result') {
          shard.summary = message.summary;
          stop(shard);
        } else {
          fail(new Error(`${file}: ${message.message}`));
        }
        wakeup.notify();
      });
      shard.thread.on('error', fail);
      shard.thread.on('exit', (code) => {
        if (!shard.stopped) fail(new Error(`a worker thread stopped early with exit code ${code}`));
      });
      send(shard, { type: 'file', index: 0, file, shard: { index, count, key } });
    }
    const abort = (): void => shards.forEach((shard) => send(shard, { type: 'stop' }));
    options.signal?.addEventListener('abort', abort, { once: true });
    if (options.signal?.aborted) abort();
    try {
      let index = 0;
      for (;;) {
        if (failure) throw failure;
        // The next connection is the earliest head among the shards; a shard with nothing waiting and not done
        // may still send an earlier one.
        let next: Shard | null = null;
        let waiting = false;
        for (const shard of shards) {
          const head = shard.batches[0]?.[shard.taken];
          if (head === undefined) {
            if (shard.summary === null) waiting = true;
          } else if (next === null || head.firstFrame < next.batches[0]![next.taken]!.firstFrame) {
            next = shard;
          }
        }
        if (waiting) {
          await wakeup.wait();
          continue;
        }
        if (next === null) break;
        const batch = next.batches[0]!;
        const connection = batch[next.taken++]!;
        if (next.taken === batch.length) {
          next.batches.shift();
          next.taken = 0;
          send(next, { type: 'taken' });
        }
        if (options.filter && !options.filter(connection)) continue;
        connection.index = index++;
        yield connection;
      }
      return mergeShardSummaries(shards.map((shard) => shard.summary!));
    } finally {
      options.signal?.removeEventListener('abort', abort);
      shards.forEach(stop);
    }
  });
}

/** The file as far as every shard read it, and the connections all of them finished. */
function overallProgress(file: string, shards: Shard[]): AnalyzeProgress {
  let bytesRead = Infinity;
  let connections = 0;
  for (const { progress } of shards) {
    bytesRead = Math.min(bytesRead, progress.bytesRead);
    connections += progress.connections;
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
