import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JS module shared with scripts/crosscheck.mjs, without type declarations
import { crosscheckCapture, DEFAULT_FOLDERS, listCaptures } from '../../scripts/crosscheck-core.mjs';
import { analyze } from '../../src/analyze.js';
import { HANDSHAKE_TYPE_NAMES } from '../../src/tls/registry/handshake-types.js';
import { cipherSuiteName } from '../../src/tls/registry/names.js';
import { protocolVersionName } from '../../src/tls/registry/protocol-versions.js';
import { parseDistinguishedName } from '../../src/x509/index.js';
import { requireTool } from '../tools.js';
import { REPO_ROOT as root } from '../repo.js';

const lib = { analyze, parseDistinguishedName, protocolVersionName, cipherSuiteName, HANDSHAKE_TYPE_NAMES };
const hasTshark = requireTool('tshark', 'the corpus cross-check against tshark');
const captures: string[] = listCaptures(DEFAULT_FOLDERS, root);

describe.runIf(hasTshark)('the corpus against tshark (messages, SNI, versions, cipher, certificates, CA names, alerts)', () => {
  it('has captures to check', () => {
    expect(captures.length).toBeGreaterThan(20);
  });
  for (const capture of captures) {
    it(capture.slice(root.length + 1), async () => {
      const { differences } = (await crosscheckCapture(capture, lib)) as { differences: string[] };
      expect(differences).toEqual([]);
    });
  }
});
