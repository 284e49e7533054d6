import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseline } from '../../src/cli/expect.js';
import type { AnalysisResult } from '../../src/model/types.js';
import { DEFAULT_FOLDERS, expectedJsonFor, keyLogFor, listCaptures, REPO_ROOT } from '../repo.js';
import { tempDir } from '../temp-dir.js';
import { runCli } from './run.js';

/**
 * `tlsdiag check` end to end on every corpus capture: the expectation is the one `tlsdiag baseline` would write,
 * made by the same function (src/cli/expect.ts) from the capture's reviewed `.expected.json`, the corpus's one
 * expectation file. Run from the project root, as the expected files name captures by relative path.
 */
const captures = listCaptures(DEFAULT_FOLDERS).map((capture) => relative(REPO_ROOT, capture));

/** The expectation file `tlsdiag baseline <capture> [--keylog <key log>]` writes, from the reviewed report. */
function expectationOf(capture: string): ReturnType<typeof baseline> {
  const report = JSON.parse(readFileSync(expectedJsonFor(capture), 'utf8')) as AnalysisResult;
  const keyLog = keyLogFor(capture);
  return baseline(report, capture, keyLog ? [keyLog] : []);
}

describe.runIf(process.cwd() === REPO_ROOT)('tlsdiag check against each capture\'s .expected.json (run from the project root)', () => {
  it('finds the corpus', () => {
    expect(captures.length).toBeGreaterThan(100);
  });

  it("derives from the .expected.json what tlsdiag baseline writes for the capture", async () => {
    const capture = 'captures/mtls/nginx-tls13-other-root-client-cert.pcap';
    const written = await runCli('baseline', capture, '--keylog', keyLogFor(capture)!, '--quiet');
    expect(written.code).toBe(0);
    expect(expectationOf(capture)).toEqual(JSON.parse(written.stdout));
  });

  const dir = tempDir('tlsdiag-corpus-check-');
  it.each(captures)('%s', async (capture) => {
    const file = join(dir, `${capture.replaceAll('/', '--')}.expect.json`);
    writeFileSync(file, JSON.stringify(expectationOf(capture)));
    const run = await runCli('check', capture, '--expect', file, '--quiet');
    expect(run.stdout).toContain('as expected');
    expect(run.code).toBe(0);
  });
});
