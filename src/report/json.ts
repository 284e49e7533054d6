import type { AnalysisResult } from '../model/types.js';

/** The JSON document of docs/output.md: stable key order (as built), two-space indent, final newline. */
export function renderJson(result: AnalysisResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

/**
 * The same text as renderJson, in pieces (one per connection), so a report larger than a JavaScript string
 * can hold (about 512 MiB: a few hundred MB of handshake-heavy capture) can still be written.
 */
export function* renderJsonChunks(result: AnalysisResult): Generator<string> {
  const entries = Object.entries(result).filter(([, value]) => value !== undefined);
  yield '{';
  for (let i = 0; i < entries.length; i++) {
    const [key, value] = entries[i]!;
    yield `${i === 0 ? '' : ','}\n  ${JSON.stringify(key)}: `;
    if (key === 'connections' && Array.isArray(value) && value.length > 0) {
      yield '[';
      for (let j = 0; j < value.length; j++) {
        yield `${j === 0 ? '' : ','}\n    ${indent(JSON.stringify(value[j], null, 2), '    ')}`;
      }
      yield '\n  ]';
    } else {
      yield indent(JSON.stringify(value, null, 2), '  ');
    }
  }
  yield entries.length > 0 ? '\n}\n' : '}\n';
}

/** JSON.stringify never puts a raw newline inside a string, so every newline starts a line of structure. */
function indent(text: string, by: string): string {
  return text.replace(/\n/g, `\n${by}`);
}
