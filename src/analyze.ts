import type { DecryptionSecrets } from './capture/types.js';
import { buildReport } from './model/report.js';
import type { AnalysisResult, AnalysisWarning, ConnectionReport } from './model/types.js';
import { runRules } from './rules/index.js';
import type { RuleContext } from './rules/types.js';
import { streamConnections } from './tcp/streams.js';
import type { StreamConsumer } from './tcp/types.js';
import { TlsConnectionTracker, type TlsConnection } from './tls/connection.js';
import { open, readFile } from 'node:fs/promises';
import { readCapture } from './capture/index.js';
import { createKeyProvider, KeyLog, type KeyLogWarning } from './tls/decrypt/index.js';
import { loadCertificates } from './x509/index.js';
import { analyzeInParallel, analyzeInParallelStream } from './parallel/pool.js';
import { checkCaptureInput } from './capture/input-check.js';

/** Keeps a connection when it returns true (the CLI's --filter); called once its rules ran, findings included. */
export type ConnectionFilter = (connection: ConnectionReport) => boolean;

export interface AnalyzeOptions {
  /** SSLKEYLOGFILE-format files. */
  keyLogFiles?: string[];
  /** The server's client-CA bundle(s), PEM/DER files or directories (--ca). */
  clientCaFiles?: string[];
  /** The CA bundle(s) the client trusts (--server-ca). */
  serverCaFiles?: string[];
  /** Client certificates the capture did not carry (--cert). */
  extraClientCertFiles?: string[];
  verifyDepth?: number;
  filter?: ConnectionFilter;
  /** Called as each file is read: bytes read so far and TLS connections finished so far in that file. */
  onProgress?: (progress: AnalyzeProgress) => void;
  /** Threads for several files (src/parallel, one file per thread at a time); absent or 1: this thread. */
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

/** What a streaming analysis knows at its end besides the connections: AnalysisResult without them. */
export type AnalysisSummary = Omit<AnalysisResult, 'connections'>;

/** Connections as they finish (see analyzeConnections); `summary()` resolves once every one was yielded. */
export interface ConnectionStream extends AsyncIterable<ConnectionReport> {
  summary(): Promise<AnalysisSummary>;
}

/**
 * Finished connections held back so the stream yields in first-frame order: while a connection that started
 * earlier is still open, later ones that already ended wait, up to this many; past it the oldest waiting
 * ones are let out and the open one is yielded whenever it ends (docs/decisions/0002-streaming-analysis.md).
 */
export const DEFAULT_REORDER_WINDOW = 4096;

/** Parsed connections waiting for their rules before the reader may go on. */
const MAX_PENDING_REPORTS = 1024;

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
}

/** Analyses one or more captures and returns every TLS connection found, with its findings. */
export async function analyze(inputs: string | string[], options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  const files = Array.isArray(inputs) ? inputs : [inputs];
  if ((options.workers ?? 1) > 1 && files.length > 1 && !files.includes('-')) {
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
 * every file before it is done (src/parallel).
 */
export function analyzeConnections(inputs: string | string[], options: StreamOptions = {}): ConnectionStream {
  const files = Array.isArray(inputs) ? inputs : [inputs];
  let summary: AnalysisSummary | null = null;
  async function* run(): AsyncGenerator<ConnectionReport> {
    checkInputs(files, options);
    if ((options.workers ?? 1) > 1 && files.length > 1 && !files.includes('-')) {
      const parallel = analyzeInParallelStream(files, { ...options, workers: options.workers! });
      yield* parallel;
      summary = await parallel.summary();
      return;
    }
    const result: AnalysisSummary = { schemaVersion: 1, files: [], warnings: [] };
    const keys = new KeyLog();
    for (const file of options.keyLogFiles ?? []) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        result.warnings.push({ file, code: 'keylog-unreadable', message: `cannot read the key log: ${(e as Error).message}` });
        continue;
      }
      pushKeyLogWarnings(result, file, keys.addText(text, file));
    }
    const context: RuleContext = {
      clientAnchors: (options.clientCaFiles ?? []).flatMap((f) => loadCertificates(f)),
      serverAnchors: (options.serverCaFiles ?? []).flatMap((f) => loadCertificates(f)),
      extraClientCertificates: (options.extraClientCertFiles ?? []).flatMap((f) => loadCertificates(f)),
      verifyDepth: options.verifyDepth,
      keyLogGiven: keys.size > 0,
    };
    const counter = { next: 0 };
    for (const file of files) {
      if (options.signal?.aborted) break;
      yield* analyzeFile(file, keys, context, options, result, counter);
    }
    summary = result;
  }
  return {
    [Symbol.asyncIterator]: run,
    summary: async () => {
      if (summary === null) throw new Error('summary() is known once the connections were all iterated');
      return summary;
    },
  };
}

/** A connection of the file in first-frame order: null while open, then its report (null: not TLS or filtered). */
interface Slot {
  ended: boolean;
  report: Promise<ConnectionReport | null> | null;
  /** Let out of the window before it ended: yielded as soon as it ends. */
  overtaken: boolean;
}

async function* analyzeFile(
  file: string,
  keys: KeyLog,
  context: RuleContext,
  options: StreamOptions,
  result: AnalysisSummary,
  counter: { next: number },
): AsyncGenerator<ConnectionReport> {
  const window = options.reorderWindow ?? DEFAULT_REORDER_WINDOW;
  let embeddedCount = 0;
  const addSecrets = (secrets: DecryptionSecrets): void => {
    embeddedCount++;
    pushKeyLogWarnings(result, file, keys.addDecryptionSecrets(secrets, `${file} (pcapng secrets #${embeddedCount})`));
  };
  // Secrets blocks may come after the packets they unlock (editcap appends them): a file's are all read first.
  const stream = options.inputStreams && Object.hasOwn(options.inputStreams, file) ? options.inputStreams[file]! : null;
  const prescanned = file !== '-' && stream === null && (await mayHoldSecrets(file));
  if (prescanned) await readCapture(file, { frame: () => {}, secrets: addSecrets });

  const provider = createKeyProvider(keys);
  const slots = new Map<number, Slot>();
  const order: Slot[] = [];
  let head = 0;
  let waiting = 0;
  const out: Array<Promise<ConnectionReport | null>> = [];
  let wake: (() => void) | null = null;
  let finishedCount = 0;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  const release = (): void => {
    while (head < order.length) {
      const slot = order[head]!;
      if (slot.ended) {
        if (slot.report) out.push(slot.report);
        waiting--;
      } else if (waiting > window) {
        slot.overtaken = true;
      } else break;
      order[head++] = undefined as unknown as Slot;
    }
    if (head > 4096 && head * 2 > order.length) {
      order.splice(0, head);
      head = 0;
    }
    notify();
  };
  const finish = (connection: TlsConnection): void => {
    finishedCount++;
    const slot = slots.get(connection.tcp.id)!;
    slots.delete(connection.tcp.id);
    slot.ended = true;
    slot.report = connection.detection === 'tls' ? reportFor(connection) : null;
    // Awaited in order later; marked handled now so a rule's exception rejects the iteration, not the process.
    slot.report?.catch(() => {});
    if (slot.overtaken) {
      if (slot.report) out.push(slot.report);
      notify();
    } else {
      waiting++;
      release();
    }
  };
  const reportFor = async (connection: TlsConnection): Promise<ConnectionReport | null> => {
    const report = buildReport(connection, 0, file);
    const ruleContext = embeddedCount > 0 && !context.keyLogGiven ? { ...context, keyLogGiven: true } : context;
    report.findings = await runRules({ connection, report }, ruleContext);
    // After the rules: a filter may ask for findings (--filter finding=, severity=).
    return options.filter && !options.filter(report) ? null : report;
  };
  const consumer: StreamConsumer = {
    open: (info, control) => {
      const slot: Slot = { ended: false, report: null, overtaken: false };
      slots.set(info.id, slot);
      order.push(slot);
      return new TlsConnectionTracker(info, control, provider, finish);
    },
  };
  const onProgress = options.onProgress;
  let done = false;
  let failure: unknown = null;
  let resume: (() => void) | null = null;
  let taken = 0;
  let stopped = false;
  const reading = streamConnections(stream ?? file, consumer, {
    signal: options.signal,
    onProgress: onProgress ? (bytesRead) => onProgress({ file, bytesRead, connections: finishedCount }) : undefined,
    onSecrets: prescanned ? undefined : addSecrets,
    pace: () => (!stopped && out.length - taken > MAX_PENDING_REPORTS ? new Promise<void>((r) => (resume = r)) : undefined),
  }).then(
    (outcome) => {
      result.warnings.push(...outcome.warnings.map((w): AnalysisWarning => ({ file, ...w })));
      result.files.push({
        file,
        format: outcome.capture.format,
        compressed: outcome.capture.compressed,
        frames: outcome.capture.frames,
        error: outcome.capture.error ? outcome.capture.error.message : null,
      });
    },
    (e: unknown) => {
      failure = e ?? new Error('reading failed');
    },
  ).finally(() => {
    done = true;
    notify();
  });
  try {
  for (;;) {
    if (taken < out.length) {
      const report = await out[taken]!;
      out[taken++] = undefined as unknown as Promise<ConnectionReport | null>;
      if (taken > 1024 && taken * 2 > out.length) {
        out.splice(0, taken);
        taken = 0;
      }
      if (out.length - taken <= MAX_PENDING_REPORTS / 2 && resume) {
        const r = resume as () => void;
        resume = null;
        r();
      }
      if (report === null) continue;
      report.index = counter.next++;
      yield report;
      continue;
    }
    if (done) break;
    if (resume) {
      const r = resume as () => void;
      resume = null;
      r();
    }
    await new Promise<void>((r) => (wake = r));
  }
  } finally {
    // The consumer may stop early: let the reader run to its end unpaced.
    stopped = true;
    const r = resume as (() => void) | null;
    resume = null;
    r?.();
  }
  await reading;
  if (failure !== null) throw failure;
}

/** Rejects an unreadable input or one that is not a capture up front, unless the caller asked to be told in files[]. */
function checkInputs(files: string[], options: AnalyzeOptions): void {
  if (options.unreadableInput === 'report') return;
  const streams = (options as StreamOptions).inputStreams ?? {};
  for (const file of files) if (!Object.hasOwn(streams, file)) checkCaptureInput(file);
}

/** pcapng (secrets blocks) or gzip (could hold a pcapng): worth a first pass for secrets. */
async function mayHoldSecrets(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return false;
  }
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    if (bytesRead < 2) return false;
    if (head[0] === 0x1f && head[1] === 0x8b) return true;
    return bytesRead === 4 && head.readUInt32BE(0) === 0x0a0d0d0a;
  } finally {
    await handle.close();
  }
}

function pushKeyLogWarnings(result: AnalysisSummary, file: string, warnings: KeyLogWarning[]): void {
  for (const w of warnings) {
    const where = w.line > 0 ? `line ${w.line}: ` : '';
    result.warnings.push({ file: w.source ?? file, code: 'keylog-line', message: `${where}${w.message}` });
  }
}
