#!/usr/bin/env node
// Writes docs/examples/: the markdown and HTML reports of two bundled captures, made by the CLI itself
// (`npm run examples` builds dist/ first). Re-run after a change to the rules or the renderers and review the diff.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT as root } from './corpus.mjs';

process.chdir(root);
const examples = [
  { name: 'java-tls12-other-root-keystore-s-server', args: ['captures/mtls/java-tls12-other-root-keystore-s-server.pcap'] },
  {
    name: 'nginx-tls13-other-root-client-cert',
    args: [
      'captures/mtls/nginx-tls13-other-root-client-cert.pcap',
      '--keylog',
      'captures/mtls/nginx-tls13-other-root-client-cert.keys.log',
    ],
  },
  {
    name: 'nginx-tls13-other-root-client-cert.redacted',
    args: [
      'captures/mtls/nginx-tls13-other-root-client-cert.pcap',
      '--keylog',
      'captures/mtls/nginx-tls13-other-root-client-cert.keys.log',
      '--redact',
    ],
  },
];
mkdirSync('docs/examples', { recursive: true });
for (const { name, args } of examples) {
  for (const [format, ext] of [['markdown', 'md'], ['html', 'html']]) {
    const out = `docs/examples/${name}.${ext}`;
    try {
      execFileSync(process.execPath, ['bin/tlsdiag.js', '--format', format, '-o', out, ...args], { stdio: 'inherit' });
    } catch (error) {
      // Exit 1 means "a failure was found": expected for these captures. 2 means the input was unreadable.
      if (error.status !== 1) throw error;
    }
    console.log(`wrote ${out}`);
  }
}
