import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ja4 } from '../../src/fingerprint/index.js';
import { parseHandshakeMessage } from '../../src/tls/handshake/index.js';
import type { ClientHello } from '../../src/tls/handshake/types.js';
import { FIXTURE_DIR, loadFixtureMessages } from '../tls/handshake/fixtures.js';

/**
 * JA4 of every first ClientHello in the FoxIO conformance captures, against FoxIO's own expected output
 * (../shared/conformance/ja4/expected). The ClientHellos are the fixtures extracted from those captures.
 */
const EXPECTED_DIR = join(FIXTURE_DIR, '..', '..', '..', '..', 'shared', 'conformance', 'ja4', 'expected');

interface ExpectedConnection {
  src: string;
  dst: string;
  srcport: string;
  dstport: string;
  domain?: string;
  'JA4.1'?: string;
  'JA4_r.1'?: string;
  'JA4_o.1'?: string;
  'JA4_ro.1'?: string;
}

const expectedFiles = existsSync(EXPECTED_DIR) ? readdirSync(EXPECTED_DIR).filter((f) => f.endsWith('.json')).sort() : [];
const hellos = loadFixtureMessages((f) => f.startsWith('ja4--')).filter((m) => m.msgType === 1);

describe.runIf(expectedFiles.length > 0)('JA4 against the FoxIO conformance set', () => {
  const cases: Array<{ capture: string; connection: ExpectedConnection }> = [];
  for (const file of expectedFiles) {
    const capture = file.replace(/\.json$/, '');
    const connections = JSON.parse(readFileSync(join(EXPECTED_DIR, file), 'utf8')) as ExpectedConnection[];
    for (const connection of connections) if (connection['JA4.1'] !== undefined) cases.push({ capture, connection });
  }

  it('covers all 142 ClientHellos of the set', () => {
    expect(cases.length).toBe(142);
  });

  for (const { capture, connection: c } of cases) {
    it(`${capture} ${c.src}:${c.srcport} → ${c.dst}:${c.dstport}`, () => {
      const first = hellos
        .filter((m) => m.source.endsWith(`/${capture}`) && m.src === c.src && m.dst === c.dst && m.srcport === c.srcport && m.dstport === c.dstport)
        .sort((a, b) => a.frame - b.frame)[0];
      expect(first, 'a ClientHello for this connection among the fixtures').toBeDefined();
      const hello = parseHandshakeMessage(1, first!.body) as ClientHello;
      // The conformance data predates JA4.md's hex rule for non-alphanumeric ALPN bytes (see Ja4AlpnRule);
      // the 'reference' rule reproduces it and differs from 'spec' only for the non-ASCII ALPN capture.
      const fingerprint = ja4(hello, 't', { alpnRule: 'reference' });
      const specFingerprint = ja4(hello);
      if (capture === 'tls-non-ascii-alpn.pcapng') {
        expect(specFingerprint.ja4.slice(0, 10)).toBe('t13d1516bd');
        expect(specFingerprint.ja4.slice(10)).toBe(fingerprint.ja4.slice(10));
      } else {
        expect(specFingerprint).toEqual(fingerprint);
      }
      expect({ ja4: fingerprint.ja4, ja4_r: fingerprint.ja4_r, ja4_o: fingerprint.ja4_o, ja4_ro: fingerprint.ja4_ro }).toEqual({
        ja4: c['JA4.1'],
        ja4_r: c['JA4_r.1'],
        ja4_o: c['JA4_o.1'],
        ja4_ro: c['JA4_ro.1'],
      });
      if (c.domain !== undefined) expect(hello.serverNames?.[0]).toBe(c.domain);
    });
  }
});
