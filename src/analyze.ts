import type { DecryptionSecrets } from './capture/types.js';
import type { AnalysisResult, AnalysisWarning, ConnectionReport } from './model/types.js';
import { diagnoseConnection } from './rules/index.js';
import type { RuleContext } from './rules/types.js';
import { streamConnections } from './tcp/streams.js';
import type { StreamConsumer } from './tcp/types.js';
import { TlsConnectionTracker, type TlsConnection } from './tls/connection.js';
import { existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { FileTooLargeError, readBoundedFile } from './bounded-file.js';
import { readCapture } from './capture/index.js';
import { createKeyExchangeOpener, createKeyProvider, DSB_TLS_KEY_LOG, KeyLog, KeyLogWarnings, loadServerKeys, PskError, PskSet, ServerKeyError, ServerKeyRing, type KeyExchangeSecrets, type KeyLogWarning } from './tls/decrypt/index.js';
import { loadCertificates, loadCrls } from './x509/index.js';
import { mozillaTrustStore, systemTrustStore, TrustStore, SYSTEM_TRUST_PATHS } from './x509/trust-store.js';
import { analyzeInParallel, analyzeInParallelStream } from './parallel/pool.js';
import { checkCaptureInput } from './capture/input-check.js';
import type { WireCertificate } from './report/export-certs.js';

/** Keeps a connection when it returns true (the CLI's --filter); called once its rules ran, findings included. */
export type ConnectionFilter = (connection: ConnectionReport) => boolean;

export interface AnalyzeOptions {
  /** SSLKEYLOGFILE-format files. */
  keyLogFiles?: string[];
  /** The server's RSA private keys (--key): PEM, DER or PKCS#12 files. */
  keyFiles?: string[];
  /** Password of encrypted --key files (--key-password, TLSDIAG_KEY_PASSWORD). */
  keyPassword?: string;
  /** TLS 1.2 pre-shared keys in hex, for any identity (--psk). */
  psks?: string[];
  /** Files of `identity hex` lines (--psk-file). */
  pskFiles?: string[];
  /** The server's client-CA bundle(s), PEM/DER files or directories (--ca). */
  clientCaFiles?: string[];
  /** The CA bundle(s) the client trusts (--server-ca). */
  serverCaFiles?: string[];
  /** Client certificates the capture did not carry (--cert). */
  extraClientCertFiles?: string[];
  /** CRLs the server checks client certificates with (--crl: nginx ssl_crl), PEM/DER files or directories. */
  crlFiles?: string[];
  /** CRLs the client checks the server's chain with (--server-crl). */
  serverCrlFiles?: string[];
  verifyDepth?: number;
  filter?: ConnectionFilter;
  /** Called as each file is read: bytes read so far and TLS connections finished so far in that file. */
  onProgress?: (progress: AnalyzeProgress) => void;
  /**
   * Every certificate of each connection as on the wire, called once per connection in report order with the
   * report (its `index` set) — for --export-certs. Analyses on this thread (no worker threads).
   */
  onCertificates?: (report: ConnectionReport, certificates: WireCertificate[]) => void;
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
 * every file before it is done (src/parallel).
 */
export function analyzeConnections(inputs: string | string[], options: StreamOptions = {}): ConnectionStream {
  const files = Array.isArray(inputs) ? inputs : [inputs];
  let summary: AnalysisSummary | null = null;
  async function* run(): AsyncGenerator<ConnectionReport> {
    checkInputs(files, options);
    if ((options.workers ?? 1) > 1 && files.length > 1 && !files.includes('-') && !options.onCertificates) {
      const parallel = analyzeInParallelStream(files, { ...options, workers: options.workers! });
      yield* parallel;
      summary = collapseUnmatchedKeys(await parallel.summary());
      return;
    }
    const result: AnalysisSummary = { schemaVersion: 1, files: [], warnings: [] };
    const keys = new KeyLog();
    for (const file of options.keyLogFiles ?? []) {
      try {
        pushKeyLogWarnings(result, file, await keys.addFile(file));
      } catch (e) {
        result.warnings.push({ file, code: 'keylog-unreadable', message: `cannot read the key log: ${(e as Error).message}` });
      }
    }
    const serverCaFiles = (options.serverCaFiles ?? []).filter((f) => f !== 'system' && f !== 'none');
    const serverAnchors = serverCaFiles.flatMap((f) => loadCertificates(f));
    const exchange = await loadKeyExchangeSecrets(options, result);
    const context: RuleContext = {
      clientAnchors: (options.clientCaFiles ?? []).flatMap((f) => loadCertificates(f)),
      serverAnchors,
      serverTrust: serverTrustFor(options.serverCaFiles ?? [], serverAnchors),
      extraClientCertificates: (options.extraClientCertFiles ?? []).flatMap((f) => loadCertificates(f)),
      verifyDepth: options.verifyDepth,
      keyLogGiven: keys.size > 0,
      clientCrls: (options.crlFiles ?? []).flatMap((f) => loadCrls(f).crls),
      serverCrls: (options.serverCrlFiles ?? []).flatMap((f) => loadCrls(f).crls),
      privateKeyGiven: exchange !== null && exchange.serverKeys.size > 0,
    };
    const counter = { next: 0 };
    for (const file of files) {
      if (options.signal?.aborted) break;
      yield* analyzeFile(file, keys, context, options, result, counter, exchange);
    }
    summary = collapseUnmatchedKeys(result);
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
  exchange: KeyExchangeSecrets | null = null,
): AsyncGenerator<ConnectionReport> {
  const window = options.reorderWindow ?? DEFAULT_REORDER_WINDOW;
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
    keys.readDecryptionSecrets(secrets, embeddedWarnings, `${file} (pcapng secrets #${embeddedCount})`);
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
    pushKeyLogWarnings(result, file, embeddedWarnings.finish());
  }

  const opener = exchange === null ? undefined : createKeyExchangeOpener(exchange);
  const provider = createKeyProvider(keys, opener);
  const wireCertificates = new WeakMap<ConnectionReport, WireCertificate[]>();
  // The slot of connection `id` is order[id - dropped] until released: ids count up in the order connections
  // open, so no map by id is needed for the (up to 100 000) open ones, only for the few let out while open.
  const order: Slot[] = [];
  let dropped = 0;
  const overtakenSlots = new Map<number, Slot>();
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
        overtakenSlots.set(dropped + head, slot);
      } else break;
      order[head++] = undefined as unknown as Slot;
    }
    if (head > 4096 && head * 2 > order.length) {
      order.splice(0, head);
      dropped += head;
      head = 0;
    }
    notify();
  };
  const finish = (connection: TlsConnection): void => {
    finishedCount++;
    const id = connection.tcp.id;
    const slot = id - dropped >= head ? order[id - dropped]! : overtakenSlots.get(id)!;
    overtakenSlots.delete(id);
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
    const ruleContext = embeddedCount > 0 && !context.keyLogGiven ? { ...context, keyLogGiven: true } : context;
    const report = await diagnoseConnection(connection, 0, file, ruleContext);
    // After the rules: a filter may ask for findings or the outcome (--filter finding=, severity=, outcome=).
    if (report === null || (options.filter && !options.filter(report))) return null;
    if (options.onCertificates) wireCertificates.set(report, certificatesOf(connection));
    return report;
  };
  const consumer: StreamConsumer = {
    open: (info, control) => {
      const slot: Slot = { ended: false, report: null, overtaken: false };
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
      pushKeyLogWarnings(result, file, embeddedWarnings.finish());
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
      const certificates = wireCertificates.get(report);
      if (certificates !== undefined) options.onCertificates!(report, certificates);
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
  // One per key file and capture here; analyzeConnections keeps those of keys that matched in no capture.
  for (const keyFile of opener?.unmatchedKeyFiles() ?? []) {
    result.warnings.push({ file: keyFile, code: 'key-unmatched', message: `the private key in ${keyFile} matches no server certificate of ${file}` });
  }
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

/** --key and --psk: read once per run; a file that gives no key is a warning naming it (never its content). */
async function loadKeyExchangeSecrets(options: AnalyzeOptions, result: AnalysisSummary): Promise<KeyExchangeSecrets | null> {
  const keyFiles = options.keyFiles ?? [];
  if (keyFiles.length === 0 && (options.psks ?? []).length === 0 && (options.pskFiles ?? []).length === 0) return null;
  const serverKeys = new ServerKeyRing();
  for (const file of keyFiles) {
    try {
      serverKeys.add(loadServerKeys(readBoundedFile(file), file, options.keyPassword));
    } catch (e) {
      const message =
        e instanceof ServerKeyError || e instanceof FileTooLargeError ? e.message : `${file}: cannot read the key file: ${(e as NodeJS.ErrnoException).code ?? 'error'}`;
      result.warnings.push({ file, code: 'key-unreadable', message });
    }
  }
  const psks = new PskSet();
  (options.psks ?? []).forEach((hex, i) => addPsk(result, () => psks.add(hex, null, `--psk #${i + 1}`)));
  for (const file of options.pskFiles ?? []) {
    let text: string;
    try {
      text = readBoundedFile(file).toString('utf8');
    } catch (e) {
      const reason = e instanceof FileTooLargeError ? e.message : ((e as NodeJS.ErrnoException).code ?? 'error');
      result.warnings.push({ file, code: 'psk-unreadable', message: `cannot read the PSK file: ${reason}` });
      continue;
    }
    addPsk(result, () => psks.addFile(text, file));
  }
  return { serverKeys, psks };
}

function addPsk(result: AnalysisSummary, add: () => void): void {
  try {
    add();
  } catch (e) {
    if (!(e instanceof PskError)) throw e;
    result.warnings.push({ file: '', code: 'psk-unreadable', message: e.message });
  }
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
 * What server chains are judged against (--server-ca): Node's Mozilla roots when nothing is given, `system` the
 * OS store, `none` no judging, files the anchors they hold (with `system`, both).
 */
function serverTrustFor(serverCa: readonly string[], anchors: Uint8Array[]): TrustStore | null {
  if (serverCa.includes('none')) return null;
  const system = serverCa.includes('system');
  if (anchors.length === 0) return system ? systemTrustStore() : mozillaTrustStore();
  const systemPath = system ? SYSTEM_TRUST_PATHS.find((p) => existsSync(p)) : undefined;
  return new TrustStore('given', systemPath ? [...anchors, ...loadCertificates(systemPath)] : anchors);
}

/** Rejects an unreadable input or one that is not a capture up front, unless the caller asked to be told in files[]. */
function checkInputs(files: string[], options: AnalyzeOptions): void {
  if (options.unreadableInput === 'report') return;
  const streams = (options as StreamOptions).inputStreams ?? {};
  for (const file of files) if (!Object.hasOwn(streams, file)) checkCaptureInput(file);
}

/**
 * A regular file that is pcapng (secrets blocks) or gzip (could hold a pcapng): worth a first pass for secrets.
 * Not a pipe, a FIFO (`<(cat x)`) or /dev/stdin: what is read of those is gone, the analysis needs it.
 */
async function mayHoldSecrets(file: string): Promise<boolean> {
  let handle;
  try {
    // Judged before opening: opening and closing a FIFO could end its writer.
    if (!(await stat(file)).isFile()) return false;
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
