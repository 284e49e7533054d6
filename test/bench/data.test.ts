import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { REPO_ROOT as root } from '../repo.js';

// The bench multiplies the corpus handshakes by rewriting addresses; each copy must be a distinct, complete
// set of connections, or the bench would measure something else than real handshakes.
let dir: string;

function build(bytes: number): string {
  const path = join(dir, `copies-${bytes}.pcap`);
  execFileSync('sh', ['-c', `node bench/stream-data.js handshake ${bytes} > ${path}`], { cwd: root });
  return path;
}

describe('bench captures', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tlsdiag-bench-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('hold every corpus handshake once per copy, each copy on its own addresses', async () => {
    const one = build(25); // the 24-byte header, then one pass over the corpus
    const three = build(2 * statSync(one).size + 1);
    const once = await analyze(one);
    const thrice = await analyze(three);
    expect(once.connections.length).toBeGreaterThan(30);
    expect(thrice.connections.length).toBe(3 * once.connections.length);
    const clients = new Set(thrice.connections.map((c) => `${c.client.ip}:${c.client.port}`));
    expect(clients.size).toBe(thrice.connections.length);
    // Same handshakes in each copy: the same findings in the same order.
    const ids = (r: typeof once) => r.connections.map((c) => c.findings.map((f) => f.id).join(','));
    const perCopy = ids(once);
    expect(ids(thrice)).toEqual([...perCopy, ...perCopy, ...perCopy]);
  }, 120_000);
});
