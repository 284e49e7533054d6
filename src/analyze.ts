import type { DecryptionSecrets } from './capture/types.js';
import { buildReport } from './model/report.js';
import type { AnalysisResult, AnalysisWarning, ConnectionReport } from './model/types.js';
import { runRules } from './rules/index.js';
import type { RuleContext } from './rules/types.js';
import { streamConnections } from './tcp/streams.js';
import type { StreamConsumer } from './tcp/types.js';
import { TlsConnectionTracker, type TlsConnection } from './tls/connection.js';
import { readFile } from 'node:fs/promises';
import { createKeyProvider, KeyLog, type KeyLogWarning } from './tls/decrypt/index.js';
import { loadCertificates } from './x509/index.js';
import { analyzeInParallel } from './parallel/pool.js';

/** Keeps a connection when it returns true (the CLI's --filter). */
export type ConnectionFilter = (connection: Pick<ConnectionReport, 'client' | 'server' | 'sni'>) => boolean;

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
}

export interface AnalyzeProgress {
  file: string;
  bytesRead: number;
  connections: number;
}

/** Analyses one or more captures and returns every TLS connection found, with its findings. */
export async function analyze(inputs: string | string[], options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  const files = Array.isArray(inputs) ? inputs : [inputs];
  if ((options.workers ?? 1) > 1 && files.length > 1 && !files.includes('-')) {
    return analyzeInParallel(files, { ...options, workers: options.workers! });
  }
  const result: AnalysisResult = { schemaVersion: 1, files: [], warnings: [], connections: [] };
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
  for (const file of files) {
    await analyzeFile(file, keys, context, options.filter, result, options.onProgress);
  }
  return result;
}

async function analyzeFile(
  file: string,
  keys: KeyLog,
  context: RuleContext,
  filter: ConnectionFilter | undefined,
  result: AnalysisResult,
  onProgress?: (progress: AnalyzeProgress) => void,
): Promise<void> {
  let finished: TlsConnection[] = [];
  const embedded: DecryptionSecrets[] = [];
  const provider = createKeyProvider(keys);
  const consumer: StreamConsumer = {
    open: (info, control) => new TlsConnectionTracker(info, control, provider, (c) => finished.push(c)),
  };
  let outcome = await streamConnections(file, consumer, {
    onProgress: onProgress ? (bytesRead) => onProgress({ file, bytesRead, connections: finished.length }) : undefined,
    onSecrets: (secrets) => {
      embedded.push(secrets);
      pushKeyLogWarnings(result, file, keys.addDecryptionSecrets(secrets, `${file} (pcapng secrets #${embedded.length})`));
    },
  });
  // Secrets blocks written after the packets they unlock (editcap appends, some tools too): read it again.
  const lateSecrets = embedded.some((s) => s.afterFrame > 0);
  if (lateSecrets && finished.some((c) => !c.keysFound && c.clientHello !== null && keys.has(c.clientHello.random))) {
    finished = [];
    outcome = await streamConnections(file, consumer);
  }
  const warnings: AnalysisWarning[] = outcome.warnings.map((w) => ({ file, ...w }));
  result.warnings.push(...warnings);
  result.files.push({
    file,
    format: outcome.capture.format,
    compressed: outcome.capture.compressed,
    frames: outcome.capture.frames,
    error: outcome.capture.error ? outcome.capture.error.message : null,
  });

  const tls = finished.filter((c) => c.detection === 'tls').sort((a, b) => a.tcp.firstFrame - b.tcp.firstFrame);
  const ruleContext = { ...context, keyLogGiven: context.keyLogGiven || embedded.length > 0 };
  for (const connection of tls) {
    const report = buildReport(connection, result.connections.length, file);
    if (filter && !filter(report)) continue;
    report.findings = await runRules({ connection, report }, ruleContext);
    result.connections.push(report);
  }
}

function pushKeyLogWarnings(result: AnalysisResult, file: string, warnings: KeyLogWarning[]): void {
  for (const w of warnings) {
    const where = w.line > 0 ? `line ${w.line}: ` : '';
    result.warnings.push({ file: w.source ?? file, code: 'keylog-line', message: `${where}${w.message}` });
  }
}
