import type { CaptureInput } from '../../src/capture/index.js';
import type { AnalysisWarning, ConnectionReport } from '../../src/model/types.js';
import { diagnoseConnection } from '../../src/rules/index.js';
import type { RuleContext } from '../../src/rules/types.js';
import { streamConnections, type StreamConnectionsResult } from '../../src/tcp/streams.js';
import { TlsConnectionTracker, type TlsConnection } from '../../src/tls/connection.js';
import { createKeyExchangeOpener, createKeyProvider, KeyLog, type KeyExchangeSecrets } from '../../src/tls/decrypt/index.js';
import { renderJson } from '../../src/report/json.js';
import { renderText } from '../../src/report/text.js';

export interface PipelineResult {
  stream: StreamConnectionsResult;
  connections: ConnectionReport[];
  warnings: AnalysisWarning[];
  /** The JSON and text reports, to prove the report stage also copes. */
  json: string;
  text: string;
}

/**
 * The whole pipeline over one capture, as analyze() runs it but from bytes: capture → TCP → TLS tracker
 * (with embedded pcapng secrets fed to a key log) → connection reports → rules → JSON.
 */
export async function runPipeline(input: CaptureInput, keys = new KeyLog(), exchange?: KeyExchangeSecrets): Promise<PipelineResult> {
  const finished: TlsConnection[] = [];
  const warnings: AnalysisWarning[] = [];
  const provider = createKeyProvider(keys, exchange && createKeyExchangeOpener(exchange));
  const stream = await streamConnections(
    input,
    { open: (info, control) => new TlsConnectionTracker(info, control, provider, (c) => finished.push(c)) },
    {
      onSecrets: (secrets) => {
        for (const w of keys.addDecryptionSecrets(secrets)) warnings.push({ file: 'input', code: 'keylog-line', message: w.message });
      },
    },
  );
  for (const w of stream.warnings) warnings.push({ file: 'input', ...w });
  const context: RuleContext = { clientAnchors: [], serverAnchors: [], extraClientCertificates: [], verifyDepth: undefined, keyLogGiven: keys.size > 0, privateKeyGiven: (exchange?.serverKeys.size ?? 0) > 0 };
  const connections: ConnectionReport[] = [];
  for (const connection of finished.filter((c) => c.detection === 'tls')) {
    const report = await diagnoseConnection(connection, connections.length, 'input', context);
    if (report) connections.push(report);
  }
  const result = { schemaVersion: 1 as const, files: [], warnings, connections };
  return { stream, connections, warnings, json: renderJson(result), text: renderText(result, { all: true, color: false }) };
}
