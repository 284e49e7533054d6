import type { AnalysisInputs } from '../analysis-inputs.js';
import type { AnalysisSummary, ConnectionReport } from '../model/types.js';

/** What the pool hands each worker once, at start: what survives structured cloning of the stream options. */
export interface WorkerSettings {
  inputs: AnalysisInputs;
  /** analyzeConnections' reorder window for each file (Infinity: strict first-frame order). */
  reorderWindow?: number;
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
  /** The next connections of the file, in the order its stream yielded them (indices still per file). */
  | { type: 'connections'; index: number; connections: ConnectionReport[] }
  /** The file is done: its facts, every connection having been sent before. */
  | { type: 'result'; index: number; summary: AnalysisSummary }
  | { type: 'failure'; index: number; message: string };
