/**
 * The library: `import { analyze, renderText } from 'tlsdiag'`. analyze() reads captures and returns every TLS
 * connection with its findings (AnalysisResult, docs/output.md); the renderers turn that into the CLI's reports.
 */
export type * from './model/types.js';
export { OUTCOMES, type Outcome } from './facts/types.js';
export type { FindingId } from './rules/catalog.js';
export type { AnalysisInputs } from './analysis-inputs.js';
export {
  analyze,
  analyzeConnections,
  DEFAULT_REORDER_WINDOW,
  type AnalyzeOptions,
  type AnalyzeProgress,
  type ConnectionFilter,
  type ConnectionStream,
  type StreamOptions,
} from './analyze.js';
export { CaptureInputError } from './capture/input-check.js';
export { renderText, type TextOptions } from './report/text.js';
export { renderJson } from './report/json.js';
export { renderMarkdown, type MarkdownOptions } from './report/markdown.js';
export { renderHtml, escapeHtml, type HtmlOptions } from './report/html.js';
export { redact, Redactor, type RedactionStats } from './report/redact.js';
export { isFailed, rootCause, summarize, type ResultSummary } from './report/outcome.js';
export {
  baseline,
  checkExpectations,
  parseExpectations,
  type CheckOutcome,
  type ConnectionExpectation,
  type ExpectationFile,
} from './cli/expect.js';
export { expandInputs } from './cli/inputs.js';
