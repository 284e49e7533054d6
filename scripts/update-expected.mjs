#!/usr/bin/env node
// Writes `<name>.expected.json` beside every corpus capture: exactly what `tlsdiag --json [--keylog <name>.keys.log]
// <capture>` prints, run from the project root (the capture's meta.json "options" are not used: the expectation is
// what the capture and its key log alone give). Review the diff (`git diff captures/`) before committing: these
// files are the reviewed expectations test/corpus/expected.test.ts holds the code to, and test/cli/corpus-check.test.ts
// runs `tlsdiag check` against.
//
//   npm run expected [-- <capture or folder>...]     (builds dist/ first)
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DEFAULT_FOLDERS, expectedJsonFor, keyLogFor, listCaptures, ROOT as root } from './corpus.mjs';

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
