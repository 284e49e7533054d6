import type { AnalysisResult } from '../model/types.js';

/** The JSON document of docs/output.md: stable key order (as built), two-space indent, final newline. */
export function renderJson(result: AnalysisResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
