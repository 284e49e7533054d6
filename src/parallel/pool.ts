import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AnalyzeOptions, AnalyzeProgress } from '../analyze.js';
import type { AnalysisResult, AnalysisWarning } from '../model/types.js';
import type { FileTask, WorkerMessage, WorkerSettings } from './messages.js';

/** One worker per core by default, never more workers than files. */
export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Starting a worker costs about 0.1-0.3 s (it loads the whole pipeline), more than analysing a few MB takes:
 * several files go to worker threads only when they hold at least this much together.
 */
export const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;

/** Threads for a run: one per core for several files of enough bytes, else this thread alone. */
export function chooseWorkerCount(fileCount: number, totalBytes: number | null): number {
  if (fileCount < 2 || totalBytes === null || totalBytes < PARALLEL_MIN_BYTES) return 1;
  return Math.min(fileCount, defaultWorkerCount());
}

/**
 * Analyses several captures on `workers` threads (one file per thread at a time, the next file to whichever
 * thread is free) and merges the results in input order, as a sequential run would give them. Each thread
 * reads the key logs and CA files itself; secrets embedded in one pcapng help only that file's analysis.
 * The filter runs in this thread, after the rules.
 */
export async function analyzeInParallel(files: string[], options: AnalyzeOptions & { workers: number }): Promise<AnalysisResult> {
  const settings: WorkerSettings = {
    keyLogFiles: options.keyLogFiles,
    clientCaFiles: options.clientCaFiles,
    serverCaFiles: options.serverCaFiles,
    extraClientCertFiles: options.extraClientCertFiles,
    verifyDepth: options.verifyDepth,
    progress: options.onProgress !== undefined,
  };
  const results: Array<AnalysisResult | null> = files.map(() => null);
  const threadCount = Math.max(1, Math.min(options.workers, files.length));
  let next = 0;
  const workerUrl = new URL('./worker.js', import.meta.url);

  await new Promise<void>((resolve, reject) => {
    let running = threadCount;
    let failed = false;
    const threads: Worker[] = [];
    const finished = new Set<Worker>();
    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      for (const t of threads) void t.terminate();
      reject(error);
    };
    const feed = (thread: Worker): void => {
      if (next < files.length) {
        const task: FileTask = { index: next, file: files[next]! };
        next++;
        thread.postMessage(task);
        return;
      }
      finished.add(thread);
      void thread.terminate();
      if (--running === 0 && !failed) resolve();
    };
    for (let i = 0; i < threadCount; i++) {
      const thread = new Worker(workerUrl, { workerData: settings });
      threads.push(thread);
      thread.on('message', (message: WorkerMessage) => {
        if (message.type === 'progress') {
          const progress: AnalyzeProgress = { file: files[message.index]!, bytesRead: message.bytesRead, connections: message.connections };
          options.onProgress?.(progress);
        } else if (message.type === 'result') {
          results[message.index] = message.result;
          feed(thread);
        } else {
          fail(new Error(`${files[message.index]}: ${message.message}`));
        }
      });
      thread.on('error', (error) => fail(error));
      thread.on('exit', (code) => {
        if (!finished.has(thread)) fail(new Error(`a worker thread stopped early with exit code ${code}`));
      });
      feed(thread);
    }
  });
  return mergeResults(results as AnalysisResult[], options);
}

/** Concatenates per-file results in input order; renumbers connections; keeps repeated key log warnings once. */
export function mergeResults(parts: AnalysisResult[], options: Pick<AnalyzeOptions, 'filter'> = {}): AnalysisResult {
  const merged: AnalysisResult = { schemaVersion: 1, files: [], warnings: [], connections: [] };
  const seenWarnings = new Set<string>();
  for (const part of parts) {
    merged.files.push(...part.files);
    for (const warning of part.warnings) {
      if (isSharedInputWarning(warning)) {
        const key = `${warning.file}\u0000${warning.code}\u0000${warning.message}`;
        if (seenWarnings.has(key)) continue;
        seenWarnings.add(key);
      }
      merged.warnings.push(warning);
    }
    for (const connection of part.connections) {
      if (options.filter && !options.filter(connection)) continue;
      connection.index = merged.connections.length;
      merged.connections.push(connection);
    }
  }
  return merged;
}

/** Warnings about the key logs, which every thread reads for itself. */
function isSharedInputWarning(warning: AnalysisWarning): boolean {
  return warning.code.startsWith('keylog');
}
