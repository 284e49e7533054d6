/** Access to the openssl-made fixtures of test/fixtures/x509, and to openssl itself for the expected answers. */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadCertificates } from '../../src/x509/load.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/x509/', import.meta.url));

export function fixturePath(name: string): string {
  return join(FIXTURES, name);
}

/** The first certificate of a fixture file (PEM or DER). */
export function cert(name: string): Uint8Array {
  const found = loadCertificates(fixturePath(name));
  if (found.length === 0) throw new Error(`fixture ${name} holds no certificate`);
  return found[0]!;
}

/** Every single-certificate PEM fixture (bundles excluded). */
export function certificateFixtures(): string[] {
  return readdirSync(FIXTURES).filter((f) => f.endsWith('.pem') && !f.startsWith('chain-')).sort();
}

/** The tests that compare with openssl skip (describe.runIf) when it is not installed. */
export const hasOpenssl = spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;

export function openssl(args: string[], input?: Uint8Array): string {
  return execFileSync('openssl', args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

/** `openssl verify`'s verdict: null when OK, else the X509_V_ERR number of the first error it printed. */
export function opensslVerify(args: string[]): { ok: boolean; error: number | null; output: string } {
  const run = spawnSync('openssl', ['verify', ...args], { encoding: 'utf8' });
  const output = `${run.stdout}${run.stderr}`;
  const match = /error (\d+) at \d+ depth lookup/.exec(output);
  return { ok: run.status === 0 && /: OK\s*$/m.test(run.stdout), error: match ? Number(match[1]) : null, output };
}
