import type { AnalysisInputs } from './analysis-inputs.js';
import type { AnalysisSummary, ConnectionReport } from './model/types.js';
import type { WireCertificate } from './report/export-certs.js';
import type { FlowShard } from './tcp/flow-shard.js';

/** Keeps a connection when it returns true (the CLI's --filter); called once its rules ran, findings included. */
export type ConnectionFilter = (connection: ConnectionReport) => boolean;

/** analyze()'s options: the user's inputs (src/analysis-inputs.ts) and how the run goes. */
export interface AnalyzeOptions extends AnalysisInputs {
  filter?: ConnectionFilter;
  /** Called as each file is read: bytes read so far and TLS connections finished so far in that file. */
  onProgress?: (progress: AnalyzeProgress) => void;
  /**
   * Every certificate of each connection as on the wire, called once per connection in report order with the
   * report (its `index` set) — for --export-certs. Analyses on this thread (no worker threads).
   */
  onCertificates?: (report: ConnectionReport, certificates: WireCertificate[]) => void;
  /**
   * Threads (src/parallel): several files go one file per thread at a time; one regular, uncompressed file is
   * shared, each thread analysing the connections of its share (FlowShard; not with a reorder window of 0).
   * Absent or 1: this thread.
   */
  workers?: number;
  /**
   * 'reject' (the default): a path that cannot be read or is not a capture rejects with CaptureInputError
   * before any file is analysed. 'report': it is analysed with the others and its reason recorded in
   * `files[].error` (the CLI, which reports it and exits 2).
   */
  unreadableInput?: 'reject' | 'report';
}

export interface AnalyzeProgress {
  file: string;
  bytesRead: number;
  connections: number;
}

/** Connections as they finish (see analyzeConnections); `summary()` resolves once every one was yielded. */
export interface ConnectionStream extends AsyncIterable<ConnectionReport> {
  summary(): Promise<AnalysisSummary>;
}

/** A ConnectionStream of a run that yields the connections and returns the summary (each iteration runs it anew). */
export function connectionStream(run: () => AsyncGenerator<ConnectionReport, AnalysisSummary>): ConnectionStream {
  let summary: AnalysisSummary | null = null;
  return {
    async *[Symbol.asyncIterator]() {
      summary = yield* run();
    },
    summary: async () => {
      if (summary === null) throw new Error('summary() is known once the connections were all iterated');
      return summary;
    },
  };
}

/**
 * Finished connections held back so the stream yields in first-frame order: while a connection that started
 * earlier is still open, later ones that already ended wait, up to this many; past it the oldest waiting
 * ones are let out and the open one is yielded whenever it ends (docs/decisions/0002-streaming-analysis.md).
 */
export const DEFAULT_REORDER_WINDOW = 4096;

export interface StreamOptions extends AnalyzeOptions {
  /**
   * See DEFAULT_REORDER_WINDOW; Infinity keeps strict first-frame order at the cost of memory; 0 yields each
   * connection the moment it ends (live use).
   */
  reorderWindow?: number;
  /**
   * Stops reading when aborted (SIGINT in the CLI): the capture being read ends where it is, connections still
   * open are reported as they stand, later files are skipped, and summary() is known as after a normal end.
   * Not for several files on worker threads.
   */
  signal?: AbortSignal;
  /** Inputs read from these streams instead of files of that name (the CLI's `--interface`: tcpdump's output). */
  inputStreams?: Record<string, NodeJS.ReadableStream>;
  /**
   * Only this share of each file's connections: set by src/parallel on the threads that share one file, whose
   * results it merges; a caller wanting both cores on one file sets `workers` instead.
   */
  shard?: FlowShard;
}
