import type { AnalysisResult, ConnectionReport } from '../model/types.js';

/** What a run knows besides its connections (src/analyze.ts calls it AnalysisSummary). */
type RunFacts = Omit<AnalysisResult, 'connections'>;

/**
 * The JSON document of docs/output.md: `schemaVersion`, then `connections`, then the run's facts (`files`,
 * `warnings`); two-space indent, final newline. The connections come before the facts because the facts are
 * known only once every capture was read: a streaming writer can then emit each connection as it comes.
 */
export function renderJson(result: AnalysisResult): string {
  const { schemaVersion, connections, ...facts } = result;
  return `${JSON.stringify({ schemaVersion, connections, ...facts }, null, 2)}\n`;
}

/**
 * The same text as renderJson, in pieces (one per connection), so a report larger than a JavaScript string
 * can hold (about 512 MiB: a few hundred MB of handshake-heavy capture) can still be written.
 */
export function* renderJsonChunks(result: AnalysisResult): Generator<string> {
  const { connections, ...summary } = result;
  yield jsonHead(summary.schemaVersion);
  for (let j = 0; j < connections.length; j++) yield jsonConnection(connections[j]!, j);
  yield jsonTail(connections.length, summary);
}

/** The document up to the connections' array: written before the first connection is known. */
export function jsonHead(schemaVersion: RunFacts['schemaVersion']): string {
  return `{\n  "schemaVersion": ${JSON.stringify(schemaVersion)},\n  "connections": `;
}

/** One connection of the array; `position` is its place in the array (0 opens the array). */
export function jsonConnection(connection: ConnectionReport, position: number): string {
  // Stringified inside its place in the document, so JSON.stringify writes the indentation itself: re-indenting
  // the text afterwards copied every connection once more (a quarter of the bytes --json allocated).
  const text = JSON.stringify({ connections: [connection] }, null, 2);
  return `${position === 0 ? '[' : ','}\n    ${text.slice(CONNECTION_PREFIX.length, text.length - CONNECTION_SUFFIX.length)}`;
}

const CONNECTION_PREFIX = '{\n  "connections": [\n    ';
const CONNECTION_SUFFIX = '\n  ]\n}';

/** Closes the array of `count` connections and writes the facts known at the end of the run. */
export function jsonTail(count: number, summary: RunFacts): string {
  const { schemaVersion: _, ...facts } = summary;
  let tail = count === 0 ? '[]' : '\n  ]';
  for (const [key, value] of Object.entries(facts)) {
    if (value === undefined) continue;
    tail += `,\n  ${JSON.stringify(key)}: ${indent(JSON.stringify(value, null, 2), '  ')}`;
  }
  return `${tail}\n}\n`;
}

/** JSON.stringify never puts a raw newline inside a string, so every newline starts a line of structure. */
function indent(text: string, by: string): string {
  return text.replace(/\n/g, `\n${by}`);
}
