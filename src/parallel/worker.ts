// Runs in a worker thread: analyses the files the pool sends, one at a time, and posts each file's connections
// back in batches as they come (nothing of a file is collected here), then the file's facts.
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeConnections } from '../analyze.js';
import type { ConnectionReport } from '../model/types.js';
import type { FileTask, WorkerMessage, WorkerSettings } from './messages.js';
import { errorMessage } from '../util/errors.js';

const settings = workerData as WorkerSettings;
const port = parentPort!;

/** Connections per message: few enough to spread the cloning, many enough that messages are not the cost. */
const BATCH = 64;

function post(message: WorkerMessage): void {
  port.postMessage(message);
}

async function analyzeTask(task: FileTask): Promise<void> {
  const onProgress = settings.progress
    ? (p: { bytesRead: number; connections: number }) => post({ type: 'progress', index: task.index, bytesRead: p.bytesRead, connections: p.connections })
    : undefined;
  const stream = analyzeConnections([task.file], { ...settings.inputs, reorderWindow: settings.reorderWindow, workers: 1, onProgress, unreadableInput: 'report' });
  let batch: ConnectionReport[] = [];
  for await (const connection of stream) {
    batch.push(connection);
    if (batch.length >= BATCH) {
      post({ type: 'connections', index: task.index, connections: batch });
      batch = [];
    }
  }
  if (batch.length > 0) post({ type: 'connections', index: task.index, connections: batch });
  post({ type: 'result', index: task.index, summary: await stream.summary() });
}

port.on('message', (task: FileTask) => {
  analyzeTask(task).catch((error: unknown) =>
    post({ type: 'failure', index: task.index, message: errorMessage(error) }),
  );
});
