import type { DecryptionSecrets } from './capture/types.js';
import { buildReport } from './model/report.js';
import type { AnalysisResult, AnalysisWarning, ConnectionReport } from './model/types.js';
import { runRules } from './rules/index.js';
import type { RuleContext } from './rules/types.js';
import { streamConnections } from './tcp/streams.js';
import type { StreamConsumer } from './tcp/types.js';
import { TlsConnectionTracker, type TlsConnection } from './tls/connection.js';
import { KeyLogCollection } from './tls/key-provider.js';
import { loadCertificates } from './x509/index.js';

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
}

/** Analyses one or more captures and returns every TLS connection found, with its findings. */
export async function analyze(inputs: string | string[], options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  const files = Array.isArray(inputs) ? inputs : [inputs];
  const result: AnalysisResult = { schemaVersion: 1, files: [], warnings: [], connections: [] };
  const keys = new KeyLogCollection();
  for (const file of options.keyLogFiles ?? []) {
    for (const w of await keys.addFile(file)) result.warnings.push({ file, code: 'keylog-line', message: w });
  }
  const context: RuleContext = {
    clientAnchors: (options.clientCaFiles ?? []).flatMap((f) => loadCertificates(f)),
    serverAnchors: (options.serverCaFiles ?? []).flatMap((f) => loadCertificates(f)),
    extraClientCertificates: (options.extraClientCertFiles ?? []).flatMap((f) => loadCertificates(f)),
    verifyDepth: options.verifyDepth,
    keyLogGiven: keys.size > 0,
  };
  for (const file of files) {
    await analyzeFile(file, keys, context, options.filter, result);
  }
  return result;
}

async function analyzeFile(
  file: string,
  keys: KeyLogCollection,
  context: RuleContext,
  filter: ConnectionFilter | undefined,
  result: AnalysisResult,
): Promise<void> {
  const finished: TlsConnection[] = [];
  const embedded: DecryptionSecrets[] = [];
  const consumer: StreamConsumer = {
    open: (info, control) => new TlsConnectionTracker(info, control, keys, (c) => finished.push(c)),
  };
  const outcome = await streamConnections(file, consumer, {
    onSecrets: (secrets) => {
      embedded.push(secrets);
      keys.addSecretsBlock(secrets, file).forEach((message) => result.warnings.push({ file, code: 'keylog-line', message }));
    },
  });
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
