import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JS module shared with the scripts, without type declarations
import { DEFAULT_FOLDERS, expectedJsonFor, keyLogFor, listCaptures } from '../../scripts/corpus.mjs';
import { analyze } from '../../src/analyze.js';
import { renderJson } from '../../src/report/json.js';

/**
 * Every corpus capture against its reviewed `<name>.expected.json` (the `--json` output; `npm run expected`
 * rewrites them). Run from the project root, as the files name captures by relative path.
 */
const root = join(import.meta.dirname, '..', '..');
const captures: string[] = listCaptures(DEFAULT_FOLDERS, root);

describe.runIf(process.cwd() === root)('the JSON output of every corpus capture (run from the project root)', () => {
  it('finds the corpus', () => {
    expect(captures.length).toBeGreaterThan(20);
  });
  for (const capture of captures) {
    const name = relative(root, capture);
    it(name, async () => {
      const expectedFile = expectedJsonFor(capture) as string;
      expect(existsSync(expectedFile), `${relative(root, expectedFile)} is missing: run npm run expected and review it`).toBe(true);
      const keyLog = keyLogFor(capture) as string | null;
      const result = await analyze(name, keyLog ? { keyLogFiles: [relative(root, keyLog)] } : {});
      expect(JSON.parse(renderJson(result))).toEqual(JSON.parse(readFileSync(expectedFile, 'utf8')));
    });
  }
});
