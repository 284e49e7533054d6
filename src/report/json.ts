import type { AnalysisResult, ConnectionReport } from '../model/types.js';

/** The JSON document of docs/output.md: stable key order (as built), two-space indent, final newline. */
export function renderJson(result: AnalysisResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

/**
 * The same text as renderJson, in pieces (one per connection), so a report larger than a JavaScript string
 * can hold (about 512 MiB: a few hundred MB of handshake-heavy capture) can still be written.
 */
export function* renderJsonChunks(result: AnalysisResult): Generator<string> {
  const { connections, ...facts } = result;
  yield jsonHead(facts);
  for (let j = 0; j < connections.length; j++) yield jsonConnection(connections[j]!, j);
  yield jsonTail(connections.length);
}

/**
 * The document up to the connections' array: the streaming CLI writes it once the files are read, then each
 * connection's jsonConnection, then jsonTail — the same text as renderJson of the whole result.
 */
export function jsonHead(facts: Omit<AnalysisResult, 'connections'>): string {
  const entries = Object.entries(facts).filter(([, value]) => value !== undefined);
  let head = '{';
  for (let i = 0; i < entries.length; i++) {
    const [key, value] = entries[i]!;
    head += `${i === 0 ? '' : ','}\n  ${JSON.stringify(key)}: ${indent(JSON.stringify(value, null, 2), '  ')}`;
  }
  return `${head}${entries.length === 0 ? '' : ','}\n  "connections": `;
}

/** One connection of the array; `position` is its place in the array (0 opens the array). */
export function jsonConnection(connection: ConnectionReport, position: number): string {
  return `${position === 0 ? '[' : ','}\n    ${indent(JSON.stringify(connection, null, 2), '    ')}`;
}

export function jsonTail(count: number): string {
  return count === 0 ? '[]\n}\n' : '\n  ]\n}\n';
}

/** JSON.stringify never puts a raw newline inside a string, so every newline starts a line of structure. */
function indent(text: string, by: string): string {
  return text.replace(/\n/g, `\n${by}`);
}
