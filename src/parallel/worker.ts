// Runs in a worker thread: analyses the files the pool sends, one at a time, and posts each file's connections
// back in batches as they come (nothing of a file is collected here), then the file's facts. A shard of a file
// (one file on several threads) waits for the pool to take its batches, so the pool's merge stays bounded.
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeConnections } from '../analyze.js';
import type { ConnectionReport } from '../model/types.js';
import { MAX_BATCHES_IN_FLIGHT, type FileTask, type PoolMessage, type WorkerMessage, type WorkerSettings } from './messages.js';
import { errorMessage } from '../util/errors.js';

const settings = workerData as WorkerSettings;
const port = parentPort!;

/** Connections per message: few enough to spread the cloning, many enough that messages are not the cost. */
const BATCH = 64;

let inFlight = 0;
let onTaken: (() => void) | null = null;
let stop: AbortController | null = null;

function post(message: WorkerMessage): void {
  port.postMessage(message);
}

async function postBatch(task: FileTask, connections: ConnectionReport[]): Promise<void> {
  post({ type: 'connections', index: task.index, connections });
  if (task.shard === undefined) return;
  inFlight++;
  while (inFlight >= MAX_BATCHES_IN_FLIGHT) await new Promise<void>((resolve) => (onTaken = resolve));
}

async function analyzeTask(task: FileTask): Promise<void> {
  const onProgress = settings.progress
    ? (p: { bytesRead: number; connections: number }) => post({ type: 'progress', index: task.index, bytesRead: p.bytesRead, connections: p.connections })
    : undefined;
  stop = new AbortController();
  const stream = analyzeConnections([task.file], {
    ...settings.inputs,
    reorderWindow: settings.reorderWindow,
    workers: 1,
    onProgress,
    unreadableInput: 'report',
    signal: stop.signal,
    ...(task.shard ? { shard: task.shard } : {}),
  });
  let batch: ConnectionReport[] = [];
  for await (const connection of stream) {
    batch.push(connection);
    if (batch.length >= BATCH) {
      await postBatch(task, batch);
      batch = [];
    }
  }
  if (batch.length > 0) await postBatch(task, batch);
  post({ type: 'result', index: task.index, summary: await stream.summary() });
}

port.on('message', (message: PoolMessage) => {
  if (message.type === 'taken') {
    inFlight--;
    const resume = onTaken;
    onTaken = null;
    resume?.();
  } else if (message.type === 'stop') {
    stop?.abort();
  } else {
    analyzeTask(message).catch((error: unknown) => post({ type: 'failure', index: message.index, message: errorMessage(error) }));
  }
});
