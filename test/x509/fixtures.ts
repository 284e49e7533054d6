/** Access to the openssl-made fixtures of test/fixtures/x509, and to openssl itself for the expected answers. */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadCertificates } from '../../src/x509/load.js';
import { requireTool } from '../tools.js';

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

/** The tests that compare with openssl skip (describe.runIf) when it is not installed (test/tools.ts). */
export const hasOpenssl = requireTool('openssl', 'the comparisons with openssl');

export function openssl(args: string[], input?: Uint8Array): string {
  return execFileSync('openssl', args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

export interface OpensslVerifyError {
  /** X509_V_ERR number. */
  code: number;
  /** Position in the chain, 0 = leaf. */
  depth: number;
}

/** `openssl verify`'s verdict and every error it printed, in order (it goes on after some errors). */
export function opensslVerify(args: string[]): { ok: boolean; errors: OpensslVerifyError[]; output: string } {
  const run = spawnSync('openssl', ['verify', ...args], { encoding: 'utf8' });
  const output = `${run.stdout}${run.stderr}`;
  const errors = [...output.matchAll(/error (\d+) at (\d+) depth lookup/g)].map((m) => ({ code: Number(m[1]), depth: Number(m[2]) }));
  return { ok: run.status === 0 && /: OK\s*$/m.test(run.stdout), errors, output };
}

export function toPem(ders: Uint8Array[]): string {
  return ders
    .map((der) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`)
    .join('');
}
