import { INPUT_NAMES, INPUTS, inputShapeError, type AnalysisInputs, type InputSpec, type SavedInputs } from '../analysis-inputs.js';
import { OUTCOMES, type Outcome } from '../facts/types.js';
import type { AnalysisResult, ConnectionReport } from '../model/types.js';
import { errorMessage } from '../util/errors.js';

/**
 * An expectation file (`tlsdiag baseline` writes one, `tlsdiag check --expect` reads it): which connections a
 * capture holds and how each must end. JSON only (no YAML: that would need a parser dependency).
 */
export interface ExpectationFile {
  /** The capture it was made from, for people; `check` takes the capture on its command line. */
  capture?: string;
  /** Key logs to decrypt with, relative to the current directory or else to the expectation file. */
  keyLogs?: string[];
  /** The analysis inputs the outcome depends on (those with a `saved` key in INPUTS: --ca, --verify-depth …); paths as keyLogs. */
  options?: ExpectationOptions;
  /** When true (the default), connections the file does not list are a mismatch. */
  complete?: boolean;
  connections: ConnectionExpectation[];
}

/** The inputs of src/analysis-inputs.ts that have a `saved` key there, by that key. */
export type ExpectationOptions = SavedInputs;

export interface ConnectionExpectation {
  /** Which connection: by index among the capture's TLS connections, and/or by SNI and server port. */
  match: { index?: number; sni?: string | null; port?: number };
  /** How the connection must end (docs/output.md `outcome`). */
  outcome?: Outcome;
  established?: boolean;
  /** Finding ids, compared as a set: order does not matter, every one must be there and no other. */
  findings?: string[];
}

export function baseline(
  result: AnalysisResult,
  capture: string,
  keyLogs: string[],
  options: ExpectationOptions = {},
): ExpectationFile {
  const given = Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)),
  ) as ExpectationOptions;
  return {
    capture,
    ...(keyLogs.length > 0 ? { keyLogs } : {}),
    ...(Object.keys(given).length > 0 ? { options: given } : {}),
    complete: true,
    connections: result.connections.map((c, index) => ({
      match: { index, sni: c.sni, port: c.server.port },
      outcome: c.outcome,
      established: c.established,
      findings: c.findings.map((f) => f.id),
    })),
  };
}

/** What an expectation file records of a run's inputs, each path through `path`. */
export function savedInputs(inputs: AnalysisInputs, path: (file: string) => string): ExpectationOptions {
  const saved: Record<string, unknown> = {};
  for (const name of INPUT_NAMES) {
    const { saved: key, kind }: InputSpec = INPUTS[name];
    if (key === undefined) continue;
    const value = inputs[name];
    saved[key] = kind === 'count' ? value : ((value ?? []) as string[]).map(path);
  }
  return saved as ExpectationOptions;
}

/**
 * A run's inputs completed from an expectation file: each one the command line did not give is the file's
 * (paths through `path`); `fromFile` lists those paths by what they are, to check that they still exist.
 */
export function withSavedInputs(
  inputs: AnalysisInputs,
  saved: ExpectationOptions,
  path: (file: string) => string,
): { inputs: AnalysisInputs; fromFile: Array<[what: string, paths: string[]]> } {
  const merged: Record<string, unknown> = { ...inputs };
  const fromFile: Array<[string, string[]]> = [];
  const recorded = saved as Record<string, unknown>;
  for (const name of INPUT_NAMES) {
    const { saved: key, kind, label }: InputSpec = INPUTS[name];
    if (key === undefined) continue;
    if (kind === 'count') {
      merged[name] = inputs[name] ?? recorded[key];
    } else if (((inputs[name] ?? []) as string[]).length === 0) {
      const paths = ((recorded[key] ?? []) as string[]).map(path);
      merged[name] = paths;
      fromFile.push([label ?? key, paths]);
    }
  }
  return { inputs: merged as AnalysisInputs, fromFile };
}

/** Reads and checks the shape of an expectation file; the error says which field is wrong. */
export function parseExpectations(text: string, source: string): ExpectationFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: expected a JSON expectation file: ${errorMessage(e)}`);
  }
  const fail = (where: string, what: string): never => {
    throw new Error(`${source}: ${where}: expected ${what}`);
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) fail('top level', 'an object with "connections"');
  const file = data as Record<string, unknown>;
  if (!Array.isArray(file['connections'])) fail('connections', 'an array');
  if (file['keyLogs'] !== undefined && !(Array.isArray(file['keyLogs']) && file['keyLogs'].every((k) => typeof k === 'string'))) {
    fail('keyLogs', 'an array of file names');
  }
  const options = file['options'];
  if (options !== undefined) {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) fail('options', 'an object');
    const o = options as Record<string, unknown>;
    for (const name of INPUT_NAMES) {
      const { saved, kind }: InputSpec = INPUTS[name];
      if (saved === undefined || o[saved] === undefined) continue;
      const expected = inputShapeError(kind, o[saved]);
      if (expected !== null) fail(`options.${saved}`, expected);
    }
  }
  if (file['complete'] !== undefined && typeof file['complete'] !== 'boolean') fail('complete', 'true or false');
  (file['connections'] as unknown[]).forEach((entry, i) => {
    const where = `connections[${i}]`;
    if (typeof entry !== 'object' || entry === null) fail(where, 'an object');
    const c = entry as Record<string, unknown>;
    const match = c['match'];
    if (typeof match !== 'object' || match === null) fail(`${where}.match`, 'an object with index, sni or port');
    const m = match as Record<string, unknown>;
    if (m['index'] === undefined && m['sni'] === undefined && m['port'] === undefined) fail(`${where}.match`, 'index, sni or port');
    if (m['index'] !== undefined && !Number.isInteger(m['index'])) fail(`${where}.match.index`, 'a whole number');
    if (m['port'] !== undefined && !Number.isInteger(m['port'])) fail(`${where}.match.port`, 'a port number');
    if (m['sni'] !== undefined && m['sni'] !== null && typeof m['sni'] !== 'string') fail(`${where}.match.sni`, 'a name or null');
    if (c['outcome'] !== undefined && !OUTCOMES.includes(c['outcome'] as Outcome)) fail(`${where}.outcome`, `one of ${OUTCOMES.join(', ')}`);
    if (c['established'] !== undefined && typeof c['established'] !== 'boolean') fail(`${where}.established`, 'true or false');
    if (c['findings'] !== undefined && !(Array.isArray(c['findings']) && c['findings'].every((f) => typeof f === 'string'))) {
      fail(`${where}.findings`, 'an array of finding ids');
    }
  });
  return file as unknown as ExpectationFile;
}

export interface CheckOutcome {
  ok: boolean;
  /** Readable diff lines: `  ok …`, `- expected …`, `+ actual …`. */
  lines: string[];
}

export function checkExpectations(result: AnalysisResult, expected: ExpectationFile): CheckOutcome {
  const lines: string[] = [];
  let ok = true;
  const used = new Set<number>();
  for (const [i, exp] of expected.connections.entries()) {
    const label = describeMatch(exp.match, i);
    const actual = findConnection(result.connections, exp.match, used);
    if (!actual) {
      ok = false;
      lines.push(`✗ ${label}: no such connection in the capture (it has ${result.connections.length})`);
      continue;
    }
    used.add(actual.index);
    const problems: string[] = [];
    if (exp.outcome !== undefined && exp.outcome !== actual.outcome) {
      problems.push(`    - outcome: ${exp.outcome}`, `    + outcome: ${actual.outcome}`);
    }
    if (exp.established !== undefined && exp.established !== actual.established) {
      problems.push(`    - established: ${exp.established}`, `    + established: ${actual.established}`);
    }
    if (exp.findings !== undefined) {
      const actualIds: readonly string[] = actual.findings.map((f) => f.id);
      const missing = exp.findings.filter((id) => !actualIds.includes(id));
      const extra = actualIds.filter((id) => !exp.findings!.includes(id));
      for (const id of missing) problems.push(`    - finding ${id}   (expected, not reported)`);
      for (const id of extra) problems.push(`    + finding ${id}   (reported, not expected)`);
    }
    if (problems.length === 0) {
      lines.push(`✓ ${label}: ${actual.outcome}, findings [${actual.findings.map((f) => f.id).join(', ')}]`);
    } else {
      ok = false;
      lines.push(`✗ ${label} (frames ${actual.firstFrame}-${actual.lastFrame}):`, ...problems);
    }
  }
  if (expected.complete !== false) {
    for (const c of result.connections) {
      if (used.has(c.index)) continue;
      ok = false;
      lines.push(
        `✗ unexpected connection #${c.index} ${c.sni ? `sni ${c.sni} ` : ''}port ${c.server.port} (frames ${c.firstFrame}-${c.lastFrame}):`,
        `    + outcome: ${c.outcome}, findings [${c.findings.map((f) => f.id).join(', ')}]`,
      );
    }
  }
  return { ok, lines };
}

function describeMatch(m: ConnectionExpectation['match'], i: number): string {
  const parts = [
    m.index !== undefined ? `#${m.index}` : `entry ${i}`,
    m.sni !== undefined ? `sni ${m.sni ?? '(none)'}` : null,
    m.port !== undefined ? `port ${m.port}` : null,
  ];
  return `connection ${parts.filter(Boolean).join(' ')}`;
}

function findConnection(
  connections: ConnectionReport[],
  m: ConnectionExpectation['match'],
  used: Set<number>,
): ConnectionReport | undefined {
  return connections.find(
    (c) =>
      !used.has(c.index) &&
      (m.index === undefined || c.index === m.index) &&
      (m.sni === undefined || c.sni === m.sni) &&
      (m.port === undefined || c.server.port === m.port),
  );
}
