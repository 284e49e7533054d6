import type { AnalysisInputs } from '../analysis-inputs.js';
import type { AnalysisSummary, ConnectionReport } from '../model/types.js';
import type { FlowShard } from '../tcp/flow-shard.js';

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
  type: 'file';
  index: number;
  file: string;
  /**
   * Only this share of the file's connections (one file on several threads, src/parallel/shards.ts); the
   * worker then sends at most MAX_BATCHES_IN_FLIGHT batches the pool has not taken yet.
   */
  shard?: FlowShard;
}

/** Pool → worker. */
export type PoolMessage =
  | FileTask
  /** The pool took one more batch of the shard's connections: the worker may send another. */
  | { type: 'taken' }
  /** Stop reading (the run was aborted): the connections still open are sent as they stand, then the result. */
  | { type: 'stop' };

/** Batches of a shard's connections sent and not yet taken by the pool, at most: what bounds its buffering. */
export const MAX_BATCHES_IN_FLIGHT = 16;

/** Worker → pool. */
export type WorkerMessage =
  | { type: 'progress'; index: number; bytesRead: number; connections: number }
  /** The next connections of the file, in the order its stream yielded them (indices still per file). */
  | { type: 'connections'; index: number; connections: ConnectionReport[] }
  /** The file is done: its facts, every connection having been sent before. */
  | { type: 'result'; index: number; summary: AnalysisSummary }
  | { type: 'failure'; index: number; message: string };
