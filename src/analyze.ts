import { open, stat } from 'node:fs/promises';
import { pushKeyLogWarnings, resolveAnalysisInputs, validateAnalysisInputs, type ResolvedInputs } from './analysis-inputs.js';
import { connectionStream, DEFAULT_REORDER_WINDOW, type AnalyzeOptions, type ConnectionStream, type StreamOptions } from './analysis-options.js';
import { readCapture } from './capture/index.js';
import { checkCaptureInput } from './capture/input-check.js';
import type { DecryptionSecrets } from './capture/types.js';
import type { AnalysisResult, AnalysisSummary, AnalysisWarning, ConnectionReport } from './model/types.js';
import { analyzeInParallel, analyzeInParallelStream } from './parallel/pool.js';
import { analyzeFileInShards } from './parallel/shards.js';
import { diagnoseCapture } from './pipeline.js';
import type { WireCertificate } from './report/export-certs.js';
import type { TlsConnection } from './tls/connection.js';
import { DSB_TLS_KEY_LOG, KeyLogWarnings } from './tls/decrypt/index.js';

export { DEFAULT_REORDER_WINDOW };
export type { AnalysisSummary };
export type { AnalyzeOptions, AnalyzeProgress, ConnectionFilter, ConnectionStream, StreamOptions } from './analysis-options.js';

/** Analyses one or more captures and returns every TLS connection found, with its findings. */
export async function analyze(inputs: string | string[], options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  const files = Array.isArray(inputs) ? inputs : [inputs];
  if ((options.workers ?? 1) > 1 && files.length > 1 && !files.includes('-') && !options.onCertificates) {
    checkInputs(files, options);
    return analyzeInParallel(files, { ...options, workers: options.workers! });
  }
  const stream = analyzeConnections(files, { ...options, reorderWindow: Infinity });
  const connections: ConnectionReport[] = [];
  for await (const report of stream) connections.push(report);
  const summary = await stream.summary();
  return { ...summary, connections };
}

/**
 * The streaming form of analyze(): yields each TLS connection with its findings once it has ended and its
 * rules ran, by file, then by first frame (within the reorder window); the parsed connection is dropped then.
 * Files, warnings and capture facts come from `summary()` after the iteration. With `workers` > 1 and several
 * files, the first unfinished file's connections come out as its worker thread sends them, a later file's once
 * every file before it is done; with one regular file, its connections are shared among the threads and merged
 * back by first frame (src/parallel).
 */
export function analyzeConnections(inputs: string | string[], options: StreamOptions = {}): ConnectionStream {
  const files = Array.isArray(inputs) ? inputs : [inputs];
  return connectionStream(async function* run() {
    checkInputs(files, options);
    if ((options.workers ?? 1) > 1 && files.length > 1 && !files.includes('-') && !options.onCertificates) {
      const parallel = analyzeInParallelStream(files, { ...options, workers: options.workers! });
      yield* parallel;
      return collapseUnmatchedKeys(await parallel.summary());
    }
    // One file on several threads. Not one aborted before it began (read by none, as below); not with a reorder
    // window of 0, whose order is the order connections end: the threads' outputs, merged by first frame, would
    // not give it.
    if (
      (options.workers ?? 1) > 1 && files.length === 1 && files[0] !== '-' && options.shard === undefined && !options.onCertificates &&
      options.reorderWindow !== 0 && !options.signal?.aborted && !(options.inputStreams && Object.hasOwn(options.inputStreams, files[0]!)) &&
      (await canShard(files[0]!))
    ) {
      const sharded = analyzeFileInShards(files[0]!, { ...options, workers: options.workers! });
      yield* sharded;
      return await sharded.summary();
    }
    const result: AnalysisSummary = { schemaVersion: 1, files: [], warnings: [] };
    const resolved = await resolveAnalysisInputs(options, result.warnings);
    const counter = { next: 0 };
    for (const file of files) {
      if (options.signal?.aborted) break;
      yield* analyzeFile(file, resolved, options, result, counter);
    }
    return collapseUnmatchedKeys(result);
  });
}

/**
 * One capture of the run (src/pipeline.ts), with what analyze() adds: the capture's own secrets read first when
 * it can be read twice, --filter, --export-certs, indices across files, and the capture's line in `files`.
 */
async function* analyzeFile(
  file: string,
  inputs: ResolvedInputs,
  options: StreamOptions,
  result: AnalysisSummary,
  counter: { next: number },
): AsyncGenerator<ConnectionReport> {
  let embeddedCount = 0;
  // One list for all the file's secrets blocks: millions of blocks still make at most MAX_KEY_LOG_WARNINGS + 1.
  const embeddedWarnings = new KeyLogWarnings(`${file} (pcapng secrets)`);
  let warnedLate = false;
  // A block type tlsdiag does not read is said once per file, however many such blocks there are.
  const unreadTypes = new Set<number>();
  const addSecrets = (secrets: DecryptionSecrets): void => {
    if (secrets.secretsType !== DSB_TLS_KEY_LOG) {
      if (unreadTypes.has(secrets.secretsType)) return;
      unreadTypes.add(secrets.secretsType);
    }
    embeddedCount++;
    inputs.keys.readDecryptionSecrets(secrets, embeddedWarnings, `${file} (pcapng secrets #${embeddedCount})`);
    if (!prescanned && secrets.afterFrame > 0 && !warnedLate) {
      warnedLate = true;
      result.warnings.push({
        file,
        code: 'late-secrets-unseekable',
        message: `pcapng secrets after frame ${secrets.afterFrame} of an input that cannot be read twice (a pipe): connections before them could not use them; give the capture as a file to read its secrets first`,
      });
    }
  };
  // Secrets blocks may come after the packets they unlock (editcap appends them): a file's are all read first.
  // A pipe cannot be read twice: its secrets are used from where they stand (warning above).
  const stream = options.inputStreams && Object.hasOwn(options.inputStreams, file) ? options.inputStreams[file]! : null;
  const prescanned = file !== '-' && stream === null && (await mayHoldSecrets(file));
  if (prescanned) {
    await readCapture(file, { frame: () => {}, secrets: addSecrets });
    pushKeyLogWarnings(result.warnings, file, embeddedWarnings.finish());
  }

  const { filter, onCertificates, onProgress } = options;
  const wireCertificates = new WeakMap<ConnectionReport, WireCertificate[]>();
  const diagnosis = diagnoseCapture(stream ?? file, inputs, {
    file,
    reorderWindow: options.reorderWindow ?? DEFAULT_REORDER_WINDOW,
    signal: options.signal,
    onProgress: onProgress ? (bytesRead, connections) => onProgress({ file, bytesRead, connections }) : undefined,
    onSecrets: prescanned ? null : addSecrets,
    carriesSecrets: () => embeddedCount > 0,
    shard: options.shard,
    keep: (report, connection) => {
      if (filter && !filter(report)) return false;
      if (onCertificates) wireCertificates.set(report, certificatesOf(connection));
      return true;
    },
  });
  for await (const report of diagnosis) {
    report.index = counter.next++;
    const certificates = wireCertificates.get(report);
    if (certificates !== undefined) onCertificates!(report, certificates);
    yield report;
  }
  const outcome = diagnosis.outcome();
  pushKeyLogWarnings(result.warnings, file, embeddedWarnings.finish());
  result.warnings.push(...outcome.warnings);
  const capture = outcome.stream.capture;
  result.files.push({ file, format: capture.format, compressed: capture.compressed, frames: capture.frames, error: capture.error ? capture.error.message : null });
}

/**
 * The per-capture `key-unmatched` warnings become one per key file that matched no server certificate in any
 * capture of the run (a key for one of several servers is not worth a warning per other capture).
 */
function collapseUnmatchedKeys(summary: AnalysisSummary): AnalysisSummary {
  const unmatched = new Map<string, number>();
  for (const w of summary.warnings) if (w.code === 'key-unmatched') unmatched.set(w.file, (unmatched.get(w.file) ?? 0) + 1);
  if (unmatched.size === 0) return summary;
  const captures = summary.files.length;
  const where = captures === 1 ? 'the capture' : `any of the ${captures} captures`;
  const warnings: AnalysisWarning[] = [];
  for (const w of summary.warnings) {
    if (w.code !== 'key-unmatched') warnings.push(w);
    else if (unmatched.get(w.file) === captures) {
      warnings.push({ file: w.file, code: 'key-unmatched', message: `the private key in ${w.file} matches no server certificate of ${where}` });
      unmatched.delete(w.file);
    }
  }
  return { ...summary, warnings };
}

/** Every certificate of every Certificate message of the connection (renegotiations too), as on the wire. */
function certificatesOf(connection: TlsConnection): WireCertificate[] {
  const out: WireCertificate[] = [];
  for (const event of connection.events) {
    if (event.kind !== 'handshake' || event.message.type !== 'Certificate') continue;
    event.message.certificates.forEach((entry, position) => out.push({ side: event.side, position, der: entry.data.slice() }));
  }
  return out;
}

/**
 * The edge of the library: rejects inputs of the wrong shape, and an unreadable input or one that is not a
 * capture, up front (unless the caller asked to be told of those in files[]).
 */
function checkInputs(files: string[], options: AnalyzeOptions): void {
  validateAnalysisInputs(options);
  if (options.unreadableInput === 'report') return;
  const streams = (options as StreamOptions).inputStreams ?? {};
  for (const file of files) if (!Object.hasOwn(streams, file)) checkCaptureInput(file);
}

/** The first four bytes of a regular file (fewer if it is shorter); null for a pipe, a FIFO or what cannot be read. */
async function regularFileHead(file: string): Promise<Buffer | null> {
  let handle;
  try {
    // Judged before opening: opening and closing a FIFO (`<(cat x)`, /dev/stdin) could end its writer.
    if (!(await stat(file)).isFile()) return null;
    handle = await open(file, 'r');
  } catch {
    return null;
  }
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return head.subarray(0, bytesRead);
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}

function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * A regular file that is pcapng (secrets blocks) or gzip (could hold a pcapng): worth a first pass for secrets.
 * Not a pipe: what is read of it is gone, the analysis needs it.
 */
async function mayHoldSecrets(file: string): Promise<boolean> {
  const head = await regularFileHead(file);
  return head !== null && (isGzip(head) || (head.length === 4 && head.readUInt32BE(0) === 0x0a0d0d0a));
}

/** A file several threads can each read whole: a regular file, not gzip'd (each thread would inflate it). */
async function canShard(file: string): Promise<boolean> {
  const head = await regularFileHead(file);
  return head !== null && !isGzip(head);
}
