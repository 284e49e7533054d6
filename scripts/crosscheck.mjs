#!/usr/bin/env node
// Cross-checks tlsdiag's facts against Wireshark's dissectors for every capture of the corpus:
// the handshake messages (frame, side, type, decrypted ones too), SNI, offered and negotiated versions, cipher suite, certificates (by SHA-256 of the DER tshark extracted),
// certificates_length (0 for an empty client Certificate), the acceptable CA names of CertificateRequest
// (tshark's DER, rendered by our RFC 4514 code) and alerts (frame, level, code). Uses the key log beside a
// capture when there is one, for both tools.
//
//   npm run crosscheck [-- <capture or folder>...]     (builds dist/ first)
//
// Exits 0 when every capture agrees, 1 on a difference, and 0 with a message when tshark is missing.
import { relative, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT as root } from './corpus.mjs';
import { crosscheckCapture, DEFAULT_FOLDERS, listCaptures, tsharkAvailable } from './crosscheck-core.mjs';

const lib = {
  ...(await import(join(root, 'dist', 'analyze.js'))),
  ...(await import(join(root, 'dist', 'x509', 'index.js'))),
  ...(await import(join(root, 'dist', 'tls', 'registry', 'protocol-versions.js'))),
  ...(await import(join(root, 'dist', 'tls', 'registry', 'names.js'))),
  ...(await import(join(root, 'dist', 'tls', 'registry', 'handshake-types.js'))),
};

async function main(argv) {
  if (!tsharkAvailable()) {
    console.log('crosscheck: tshark is not installed; skipped (apt-get install tshark)');
    return 0;
  }
  const captures = listCaptures(argv.length > 0 ? argv : DEFAULT_FOLDERS, root);
  let failed = 0;
  for (const capture of captures) {
    const { connections, differences } = await crosscheckCapture(capture, lib);
    const name = relative(root, capture);
    if (differences.length === 0) console.log(`ok    ${name} (${connections} TLS connection${connections === 1 ? '' : 's'})`);
    else {
      failed++;
      console.log(`DIFF  ${name}`);
      for (const line of differences) console.log(`      ${line}`);
    }
  }
  console.log(`${captures.length - failed} of ${captures.length} captures agree with tshark`);
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
}
