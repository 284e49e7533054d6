// The fuzz target: the whole pipeline from capture bytes, as analyze() runs it (built files in dist/).
import { streamConnections } from '../dist/tcp/streams.js';
import { TlsConnectionTracker } from '../dist/tls/connection.js';
import { createKeyProvider, KeyLog } from '../dist/tls/decrypt/index.js';
import { diagnoseConnection } from '../dist/rules/index.js';
import { renderJson } from '../dist/report/json.js';
import { renderText } from '../dist/report/text.js';

// The default server trust (Mozilla's roots) is left out: judging chains against it is covered by the tests, and
// loading it per execution would slow the fuzzer without reaching new parser code.
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
    const report = await diagnoseConnection(connection, connections.length, 'fuzz', { ...NO_CONTEXT, keyLogGiven: keys.size > 0 });
    if (report) connections.push(report);
  }
  const warnings = outcome.warnings.map((w) => ({ file: 'fuzz', ...w }));
  const result = { schemaVersion: 1, files: [], warnings, connections };
  renderJson(result);
  renderText(result, { all: true, color: false });
  return connections.length;
}
