// The repository as tests see it: its root folder and the corpus of real captures. Both come from
// scripts/corpus.mjs, which the scripts (npm run expected, crosscheck) use too, so that a test and a script
// never disagree on where a capture's key log, expectation or options are.
import { join } from 'node:path';
import type { AnalyzeOptions } from '../src/analyze.js';
import { keyLogFor, ROOT, serverOptionsFor } from '../scripts/corpus.mjs';

export { DEFAULT_FOLDERS, expectedJsonFor, keyLogFor, listCaptures, metaFor, serverOptionsFor, type CaptureMeta } from '../scripts/corpus.mjs';

/** The project's root folder (package.json, captures/, fuzz/seeds/), whatever the working directory. */
export const REPO_ROOT: string = ROOT;

/** A path inside the project, from its root. */
export function repoPath(...parts: string[]): string {
  return join(REPO_ROOT, ...parts);
}

/**
 * What a corpus capture is analysed with: the key log beside it and, with `serverOptions`, what its meta.json
 * says the server was configured with (serverOptionsFor), as analyze() takes them. Without `serverOptions` this
 * is the run its `.expected.json` records. Paths in meta.json are relative to the project root, where the tests run.
 */
export function analyzeOptionsFor(capture: string, { serverOptions = false }: { serverOptions?: boolean } = {}): AnalyzeOptions {
  const keyLog = keyLogFor(capture);
  return {
    keyLogFiles: keyLog ? [keyLog] : [],
    ...(serverOptions ? fromCommandLine(serverOptionsFor(capture), capture) : {}),
  };
}

/** The options meta.json may name, in the CLI's spelling (src/cli/main.ts), as analyze() fields. */
const LIST_OPTIONS = {
  '--ca': 'clientCaFiles',
  '--server-ca': 'serverCaFiles',
  '--cert': 'extraClientCertFiles',
  '--crl': 'crlFiles',
  '--server-crl': 'serverCrlFiles',
} as const satisfies Record<string, keyof AnalyzeOptions>;

function fromCommandLine(args: string[], capture: string): AnalyzeOptions {
  const options: AnalyzeOptions = {};
  for (let i = 0; i < args.length; i += 2) {
    const flag = args[i]!;
    const value = args[i + 1];
    if (value === undefined) throw new Error(`${capture}: meta.json options: ${flag} needs a value`);
    if (flag === '--verify-depth') options.verifyDepth = Number(value);
    else if (flag in LIST_OPTIONS) {
      const field = LIST_OPTIONS[flag as keyof typeof LIST_OPTIONS];
      options[field] = [...(options[field] ?? []), value];
    } else throw new Error(`${capture}: meta.json options: expected one of --verify-depth, ${Object.keys(LIST_OPTIONS).join(', ')}; got ${flag}`);
  }
  return options;
}
