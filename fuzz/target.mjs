// The fuzz target: the whole pipeline from capture bytes, as analyze() runs it (built files in dist/).
import { streamConnections } from '../dist/tcp/streams.js';
import { TlsConnectionTracker } from '../dist/tls/connection.js';
import { createKeyProvider, KeyLog } from '../dist/tls/decrypt/index.js';
import { buildReport } from '../dist/model/report.js';
import { runRules } from '../dist/rules/index.js';
import { renderJson } from '../dist/report/json.js';
import { renderText } from '../dist/report/text.js';

const NO_CONTEXT = { clientAnchors: [], serverAnchors: [], extraClientCertificates: [], verifyDepth: undefined, keyLogGiven: false };

/**
 * Runs capture → TCP → TLS (with pcapng secrets fed to a key log) → reports → rules → JSON and text.
 * Resolves with the number of TLS connections; any rejection is a bug.
 */
export async function fuzzPipeline(bytes) {
  const finished = [];
  const keys = new KeyLog();
  const provider = createKeyProvider(keys);
  const outcome = await streamConnections(
    bytes,
    { open: (info, control) => new TlsConnectionTracker(info, control, provider, (c) => finished.push(c)) },
    { onSecrets: (secrets) => keys.addDecryptionSecrets(secrets) },
  );
  const connections = [];
  for (const connection of finished) {
    if (connection.detection !== 'tls') continue;
    const report = buildReport(connection, connections.length, 'fuzz');
    report.findings = await runRules({ connection, report }, { ...NO_CONTEXT, keyLogGiven: keys.size > 0 });
    connections.push(report);
  }
  const warnings = outcome.warnings.map((w) => ({ file: 'fuzz', ...w }));
  const result = { schemaVersion: 1, files: [], warnings, connections };
  renderJson(result);
  renderText(result, { all: true, color: false });
  return connections.length;
}
