#!/usr/bin/env node
// Writes `<name>.expected.json` beside every corpus capture: exactly what `tlsdiag --json [--keylog <name>.keys.log]
// <capture>` prints, run from the project root. Review the diff (`git diff captures/`) before committing: these
// files are the reviewed expectations test/corpus/expected.test.ts holds the code to.
//
//   npm run expected [-- <capture or folder>...]     (builds dist/ first)
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_FOLDERS, expectedJsonFor, keyLogFor, listCaptures } from './corpus.mjs';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const { analyze } = await import(join(root, 'dist', 'analyze.js'));
const { renderJson } = await import(join(root, 'dist', 'report', 'json.js'));

process.chdir(root);
const args = process.argv.slice(2);
for (const capture of listCaptures(args.length > 0 ? args : DEFAULT_FOLDERS, root)) {
  const keyLog = keyLogFor(capture);
  const result = await analyze(relative(root, capture), keyLog ? { keyLogFiles: [relative(root, keyLog)] } : {});
  writeFileSync(expectedJsonFor(capture), renderJson(result));
  console.log(`wrote ${relative(root, expectedJsonFor(capture))} (${result.connections.length} connections)`);
}
