// The fuzz target: the whole pipeline from capture bytes, as analyze() runs it (built files in dist/).
import { resolveAnalysisInputs } from '../dist/analysis-inputs.js';
import { diagnoseCapture } from '../dist/pipeline.js';
import { renderJson } from '../dist/report/json.js';
import { renderText } from '../dist/report/text.js';

/**
 * Runs diagnoseCapture (capture → TCP → TLS, with pcapng secrets fed to a key log → facts, reports, rules), then
 * JSON and text. Server chains are not judged (--server-ca none): judging them against Node's Mozilla roots is
 * covered by the tests, and loading that store would slow the fuzzer without reaching new parser code.
 * Resolves with the number of TLS connections; any rejection is a bug.
 */
export async function fuzzPipeline(bytes) {
  const warnings = [];
  const diagnosis = diagnoseCapture(bytes, await resolveAnalysisInputs({ serverCaFiles: ['none'] }, warnings), { file: 'fuzz' });
  const connections = [];
  for await (const report of diagnosis) {
    report.index = connections.length;
    connections.push(report);
  }
  warnings.push(...diagnosis.outcome().warnings);
  const result = { schemaVersion: 1, files: [], warnings, connections };
  renderJson(result);
  renderText(result, { all: true, color: false });
  return connections.length;
}
