import type { AnalysisResult } from '../model/types.js';

/** What the pool hands each worker once, at start: the parts of AnalyzeOptions that survive structured cloning. */
export interface WorkerSettings {
  keyLogFiles?: string[];
  clientCaFiles?: string[];
  serverCaFiles?: string[];
  extraClientCertFiles?: string[];
  verifyDepth?: number;
  /** Whether the pool wants progress messages. */
  progress: boolean;
}

/** Pool → worker: analyse this file (its position in the input list is `index`). */
export interface FileTask {
  index: number;
  file: string;
}

/** Worker → pool. */
export type WorkerMessage =
  | { type: 'progress'; index: number; bytesRead: number; connections: number }
  | { type: 'result'; index: number; result: AnalysisResult }
  | { type: 'failure'; index: number; message: string };
