// The README's regression-test example, run for real through the package entry ("exports" → dist/index.js),
// as a project depending on tlsdiag would import it. dist/ is built first.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';

type Tlsdiag = typeof import('../../src/index.js');
let tlsdiag: Tlsdiag;

beforeAll(() => {
  // Type errors in files other people are editing do not stop tsc from emitting; a missing entry would.
  spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'ignore' });
  expect(existsSync('dist/index.js')).toBe(true);
}, 120_000);

describe("import { analyze } from 'tlsdiag'", () => {
  beforeAll(async () => {
    tlsdiag = (await import('tlsdiag' as string)) as Tlsdiag;
  });

  it('still sees the Java client answer with an empty Certificate', async () => {
    const { analyze } = tlsdiag;
    const result = await analyze('captures/mtls/java-tls12-other-root-keystore-s-server.pcap');
    const [connection] = result.connections;
    expect(connection?.outcome).toBe('failed');
    expect(connection?.findings.map((f) => f.id)).toContain('client-cert-empty');
  });

  it('exports the renderers and the expectation check', async () => {
    const result = await tlsdiag.analyze('captures/mtls/java-tls12-other-root-keystore-s-server.pcap');
    expect(tlsdiag.renderMarkdown(result, { all: false, limit: 20 })).toContain('`client-cert-empty`');
    expect(tlsdiag.renderHtml(result, { all: false, limit: 20 })).toContain('<svg');
    const check = tlsdiag.checkExpectations(result, tlsdiag.baseline(result, 'x.pcap', []));
    expect(check.ok).toBe(true);
  });
});
