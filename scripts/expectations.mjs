#!/usr/bin/env node
// Writes `<name>.expect.json` beside every corpus capture (captures/mtls, captures/server): what
// `tlsdiag baseline <capture> [--keylog <name>.keys.log]` says today. test/cli/corpus-check.test.ts runs
// `tlsdiag check` on each. Regenerate after a rule change (`npm run expectations`) and review `git diff captures/`.
import { execFileSync } from 'node:child_process';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keyLogFor, listCaptures } from './corpus.mjs';

export const EXPECTATION_FOLDERS = ['captures/mtls', 'captures/server'];
export const expectFileFor = (capture) => capture.replace(/\.(pcap|pcapng)(\.gz)?$/, '.expect.json');

// Captures whose outcome depends on what the server was configured with (see their .meta.json "server").
const EXTRA_OPTIONS = {
  'nginx-tls12-client-chain-verify-depth-0': ['--verify-depth', '0', '--ca', 'captures/pki/root.pem'],
  'nginx-tls12-client-chain-verify-depth-1': ['--verify-depth', '1', '--ca', 'captures/pki/root.pem'],
};

const root = join(fileURLToPath(import.meta.url), '..', '..');
process.chdir(root);
const args = process.argv.slice(2);
for (const full of listCaptures(args.length > 0 ? args : EXPECTATION_FOLDERS, root)) {
  const capture = relative(root, full);
  const keyLog = keyLogFor(full);
  const out = expectFileFor(capture);
  const keyArgs = keyLog ? ['--keylog', relative(root, keyLog)] : [];
  const name = basename(capture).replace(/\.(pcap|pcapng)(\.gz)?$/, '');
  const extra = EXTRA_OPTIONS[name] ?? [];
  execFileSync(process.execPath, ['bin/tlsdiag.js', 'baseline', capture, ...keyArgs, ...extra, '-o', out], { stdio: 'inherit' });
  console.log(`wrote ${out}`);
}
