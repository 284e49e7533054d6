// The one gate for tests that run a program from outside the project (tshark, editcap, tcpdump, openssl,
// Chromium, ...). On a fresh machine such tests skip, each file saying in one line what to install; with
// TLSDIAG_REQUIRE_TOOLS=1 (the second run of .ci/run, after installing them) a missing tool fails the file
// instead, so that no test can skip unnoticed where every tool is meant to be present.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** What to install for each program the tests run (Debian package names). */
export const INSTALL = {
  tshark: 'apt-get install tshark',
  editcap: 'apt-get install tshark',
  tcpdump: 'apt-get install tcpdump',
  openssl: 'apt-get install openssl',
  chromium: 'apt-get install chromium',
} as const;

export type Tool = keyof typeof INSTALL;

const REQUIRED = process.env.TLSDIAG_REQUIRE_TOOLS === '1';
const found = new Map<string, string | null>();

/** The absolute path of `name` found on PATH (an executable file), or null. */
export function toolPath(name: string): string | null {
  if (found.has(name)) return found.get(name)!;
  let path: string | null = null;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (!statSync(candidate).isFile()) continue;
      path = candidate;
      break;
    } catch {
      // not in this directory
    }
  }
  found.set(name, path);
  return path;
}

/**
 * Whether the tests of `what` can run `tool`. When it is missing this prints one line saying what to
 * install and returns false (use it with describe.runIf / skipIf); under TLSDIAG_REQUIRE_TOOLS=1 it throws.
 */
export function requireTool(tool: Tool, what: string): boolean {
  return requireTools([tool], what);
}

/** requireTool for several tools at once: one line naming every missing one. */
export function requireTools(tools: Tool[], what: string): boolean {
  const missing = tools.filter((t) => toolPath(t) === null);
  if (missing.length === 0) return true;
  const install = [...new Set(missing.map((t) => INSTALL[t]))].join('; ');
  const reason = `${missing.join(', ')} not found on PATH (${install})`;
  if (REQUIRED) throw new Error(`TLSDIAG_REQUIRE_TOOLS=1, but ${what} cannot run: ${reason}`);
  console.warn(`skipping ${what}: ${reason}`);
  return false;
}
