import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { renderJson } from '../../src/report/json.js';
import { analyzeOptionsFor, DEFAULT_FOLDERS, expectedJsonFor, listCaptures, REPO_ROOT } from '../repo.js';

/**
 * Every corpus capture against its reviewed `<name>.expected.json` (the `--json` output; `npm run expected`
 * rewrites them). Run from the project root, as the files name captures by relative path.
 */
const captures = listCaptures(DEFAULT_FOLDERS);

describe.runIf(process.cwd() === REPO_ROOT)('the JSON output of every corpus capture (run from the project root)', () => {
  it('finds the corpus', () => {
    expect(captures.length).toBeGreaterThan(20);
  });
  for (const capture of captures) {
    const name = relative(REPO_ROOT, capture);
    it(name, async () => {
      const expectedFile = expectedJsonFor(capture);
      expect(existsSync(expectedFile), `${relative(REPO_ROOT, expectedFile)} is missing: run npm run expected and review it`).toBe(true);
      const result = await analyze(name, analyzeOptionsFor(name));
      expect(JSON.parse(renderJson(result))).toEqual(JSON.parse(readFileSync(expectedFile, 'utf8')));
    });
  }
});
