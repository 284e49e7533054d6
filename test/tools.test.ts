// The fresh-machine rule: a test that runs an outside program goes through test/tools.ts, so that without the
// program it skips with one line (and fails under TLSDIAG_REQUIRE_TOOLS=1) instead of failing.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { INSTALL } from './tools.js';
import { REPO_ROOT as REPO } from './repo.js';

const TOOLS = resolve(import.meta.dirname, 'tools.ts');
const PROGRAMS = Object.keys(INSTALL).join('|');
/** A call that starts one of the programs by name: spawn('tshark', ...), execFileSync('editcap', ...), run('tshark', ...). */
const STARTS_PROGRAM = new RegExp(`\\b(?:spawn|spawnSync|execFile|execFileSync|run)\\(\\s*'(?:${PROGRAMS})'`);

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|mjs)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

/** What a module imports from project files: the resolved file (.js read as the .ts beside it) and the names. */
function localImports(file: string): Array<{ file: string; names: string[] }> {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/import\s*(?:\{([^}]*)\}\s*from\s*)?'(\.{1,2}\/[^']+)'/g)].map((m) => {
    const target = resolve(dirname(file), m[2]!);
    const names = (m[1] ?? '').split(',').map((n) => n.replace(/^\s*type\s+/, '').split(/\s+as\s+/)[0]!.trim()).filter(Boolean);
    return { file: target.endsWith('.js') && file.endsWith('.ts') ? target.replace(/\.js$/, '.ts') : target, names };
  });
}

const startsProgram = (file: string): boolean => {
  try {
    return STARTS_PROGRAM.test(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
};

describe('tests that run outside programs', () => {
  // A test runs a program when it starts one itself, or calls a helper named after one (tsharkFrames,
  // opensslVerify, opensslServerSession, ...) from a module that starts it. Such a test must import
  // test/tools.ts, directly or through the helper's module (x509/fixtures.ts exports hasOpenssl).
  it('go through test/tools.ts', () => {
    const named = new RegExp(PROGRAMS, 'i');
    const ungated: string[] = [];
    const tests = sourcesUnder(join(REPO, 'test')).filter((f) => f.endsWith('.test.ts'));
    for (const test of tests) {
      const imports = localImports(test);
      const runs = startsProgram(test) || imports.some((i) => i.names.some((n) => named.test(n)) && startsProgram(i.file));
      const gated = imports.some((i) => i.file === TOOLS || (i.file !== test && startsProgram(i.file) && localImports(i.file).some((j) => j.file === TOOLS)));
      if (runs && !gated) ungated.push(relative(REPO, test));
    }
    expect(tests.length).toBeGreaterThan(50);
    expect(ungated).toEqual([]);
  });

  it('skip with one line saying what to install, or fail under TLSDIAG_REQUIRE_TOOLS=1', async () => {
    const load = async (required: string) => {
      vi.stubEnv('PATH', '/nonexistent');
      vi.stubEnv('TLSDIAG_REQUIRE_TOOLS', required);
      vi.resetModules();
      return (await import('./tools.js')) as typeof import('./tools.js');
    };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect((await load('')).requireTool('tshark', 'the probe')).toBe(false);
      expect(warn.mock.calls).toEqual([['skipping the probe: tshark not found on PATH (apt-get install tshark)']]);
      const strict = await load('1');
      expect(() => strict.requireTool('tshark', 'the probe')).toThrow('TLSDIAG_REQUIRE_TOOLS=1, but the probe cannot run: tshark not found on PATH');
    } finally {
      warn.mockRestore();
      vi.unstubAllEnvs();
    }
  });
});
