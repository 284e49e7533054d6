import { resolveAnalysisInputs } from '../../src/analysis-inputs.js';
import type { CaptureInput } from '../../src/capture/index.js';
import type { AnalysisWarning, ConnectionReport } from '../../src/model/types.js';
import { diagnoseCapture } from '../../src/pipeline.js';
import { renderJson } from '../../src/report/json.js';
import { renderText } from '../../src/report/text.js';
import type { StreamConnectionsResult } from '../../src/tcp/streams.js';
import { KeyLog, type KeyExchangeSecrets } from '../../src/tls/decrypt/index.js';

export interface PipelineResult {
  stream: StreamConnectionsResult;
  connections: ConnectionReport[];
  warnings: AnalysisWarning[];
  /** The JSON and text reports, to prove the report stage also copes. */
  json: string;
  text: string;
}

/**
 * The whole pipeline over one capture, as analyze() runs it but from bytes (diagnoseCapture: capture → TCP →
 * TLS tracker, with embedded pcapng secrets fed to the key log → facts, report, rules), then JSON and text.
 * Server chains are not judged (--server-ca none): loading a trust store is not what these tests are about.
 */
export async function runPipeline(input: CaptureInput, keys = new KeyLog(), exchange?: KeyExchangeSecrets): Promise<PipelineResult> {
  const warnings: AnalysisWarning[] = [];
  const inputs = await resolveAnalysisInputs({ serverCaFiles: ['none'] }, warnings, { keys, exchange: exchange ?? null });
  const diagnosis = diagnoseCapture(input, inputs, { file: 'input' });
  const connections: ConnectionReport[] = [];
  for await (const report of diagnosis) {
    report.index = connections.length;
    connections.push(report);
  }
  const { stream, warnings: captureWarnings } = diagnosis.outcome();
  warnings.push(...captureWarnings);
  const result = { schemaVersion: 1 as const, files: [], warnings, connections };
  return { stream, connections, warnings, json: renderJson(result), text: renderText(result, { all: true, color: false }) };
}
