import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { pickInputs } from '../analysis-inputs.js';
import { connectionStream, type AnalyzeOptions, type AnalyzeProgress, type ConnectionStream, type StreamOptions } from '../analysis-options.js';
import type { AnalysisResult, AnalysisSummary, AnalysisWarning, ConnectionReport } from '../model/types.js';
import type { FileTask, WorkerMessage, WorkerSettings } from './messages.js';
import { Wakeup } from './wakeup.js';

/** One worker per core by default, never more workers than files. */
export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Starting a worker costs about 0.1-0.3 s (it loads the whole pipeline), more than analysing a few MB takes:
 * several files go to worker threads only when they hold at least this much together.
 */
export const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;

/**
 * Threads for a run: one per core for several files of enough bytes, else this thread alone. One file is shared
 * among threads only when asked (--workers): on the bench's files it gained 1.2× on handshakes for twice the
 * peak RSS, and cost bulk transfers the threads' start (docs/performance.md).
 */
export function chooseWorkerCount(fileCount: number, totalBytes: number | null): number {
  if (fileCount < 2 || totalBytes === null || totalBytes < PARALLEL_MIN_BYTES) return 1;
  return Math.min(fileCount, defaultWorkerCount());
}

/**
 * Analyses several captures on `workers` threads (one file per thread at a time, the next file to whichever
 * thread is free) and yields the connections in input order, as a sequential run would give them: the first
 * unfinished file's connections as its thread sends them (in batches), a later file's once every file before
 * it is done — those wait here meanwhile. Each thread reads the key logs and CA files itself; secrets
 * embedded in one pcapng help only that file's analysis. The filter runs in this thread, after the rules.
 */
export function analyzeInParallelStream(files: string[], options: StreamOptions & { workers: number }): ConnectionStream {
  return connectionStream(async function* run() {
    const settings: WorkerSettings = { inputs: pickInputs(options), reorderWindow: options.reorderWindow, progress: options.onProgress !== undefined };
    const arrived: ConnectionReport[][] = files.map(() => []);
    const summaries: Array<AnalysisSummary | null> = files.map(() => null);
    let failure: Error | null = null;
    const wakeup = new Wakeup();
    const notify = (): void => wakeup.notify();
    const threadCount = Math.max(1, Math.min(options.workers, files.length));
    const threads: Worker[] = [];
    const stopped = new Set<Worker>();
    let next = 0;
    const fail = (error: Error): void => {
      failure ??= error;
      notify();
    };
    const feed = (thread: Worker): void => {
      if (next < files.length) {
        const task: FileTask = { type: 'file', index: next, file: files[next]! };
        next++;
        thread.postMessage(task);
        return;
      }
      stopped.add(thread);
      void thread.terminate();
    };
    const workerUrl = new URL('./worker.js', import.meta.url);
    for (let i = 0; i < threadCount; i++) {
      const thread = new Worker(workerUrl, { workerData: settings });
      threads.push(thread);
      thread.on('message', (message: WorkerMessage) => {
        if (message.type === 'progress') {
          const progress: AnalyzeProgress = { file: files[message.index]!, bytesRead: message.bytesRead, connections: message.connections };
          options.onProgress?.(progress);
        } else if (message.type === 'connections') {
          arrived[message.index]!.push(...message.connections);
          notify();
        } else if (message.type === 'result') {
          summaries[message.index] = message.summary;
          notify();
          feed(thread);
        } else {
          fail(new Error(`${files[message.index]}: ${message.message}`));
        }
      });
      thread.on('error', (error) => fail(error));
      thread.on('exit', (code) => {
        if (!stopped.has(thread)) fail(new Error(`a worker thread stopped early with exit code ${code}`));
      });
      feed(thread);
    }
    try {
      const merged: AnalysisSummary = { schemaVersion: 1, files: [], warnings: [] };
      const seenWarnings = new Set<string>();
      let index = 0;
      for (let head = 0; head < files.length; ) {
        if (failure) throw failure;
        const batch = arrived[head]!;
        if (batch.length > 0) {
          arrived[head] = [];
          for (const connection of batch) {
            if (options.filter && !options.filter(connection)) continue;
            connection.index = index++;
            yield connection;
          }
          continue;
        }
        const done = summaries[head];
        if (done) {
          mergeSummary(merged, done, seenWarnings);
          summaries[head] = null;
          head++;
          continue;
        }
        await wakeup.wait();
      }
      return merged;
    } finally {
      for (const thread of threads) {
        stopped.add(thread);
        void thread.terminate();
      }
    }
  });
}

/** analyzeInParallelStream, collected. */
export async function analyzeInParallel(files: string[], options: AnalyzeOptions & { workers: number }): Promise<AnalysisResult> {
  const stream = analyzeInParallelStream(files, { ...options, reorderWindow: Infinity });
  const connections: ConnectionReport[] = [];
  for await (const connection of stream) connections.push(connection);
  return { ...(await stream.summary()), connections };
}

/** Appends one file's facts; key log warnings, which every thread gives for itself, are kept once. */
function mergeSummary(merged: AnalysisSummary, part: AnalysisSummary, seenWarnings: Set<string>): void {
  merged.files.push(...part.files);
  for (const warning of part.warnings) {
    if (isSharedInputWarning(warning)) {
      const key = `${warning.file}\u0000${warning.code}\u0000${warning.message}`;
      if (seenWarnings.has(key)) continue;
      seenWarnings.add(key);
    }
    merged.warnings.push(warning);
  }
}

/** Warnings about the key logs, which every thread reads for itself. */
function isSharedInputWarning(warning: AnalysisWarning): boolean {
  return warning.code.startsWith('keylog') || warning.code === 'key-unreadable' || warning.code === 'psk-unreadable';
}
