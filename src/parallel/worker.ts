// Runs in a worker thread: analyses the files the pool sends, one at a time, and posts each result back.
import { parentPort, workerData } from 'node:worker_threads';
import { analyze } from '../analyze.js';
import type { FileTask, WorkerMessage, WorkerSettings } from './messages.js';

const settings = workerData as WorkerSettings;
const port = parentPort!;

function post(message: WorkerMessage): void {
  port.postMessage(message);
}

port.on('message', (task: FileTask) => {
  const onProgress = settings.progress
    ? (p: { bytesRead: number; connections: number }) => post({ type: 'progress', index: task.index, bytesRead: p.bytesRead, connections: p.connections })
    : undefined;
  analyze([task.file], { ...settings, workers: 1, onProgress }).then(
    (result) => post({ type: 'result', index: task.index, result }),
    (error: unknown) => post({ type: 'failure', index: task.index, message: error instanceof Error ? error.message : String(error) }),
  );
});
