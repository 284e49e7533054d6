import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { renderJson, renderJsonChunks } from '../../src/report/json.js';
import { REPO_ROOT as root } from '../repo.js';

const dir = join(root, 'captures', 'mtls');
const captures = readdirSync(dir).filter((f) => f.endsWith('.pcap')).sort().map((f) => join(dir, f));

describe('renderJsonChunks', () => {
  it('writes exactly renderJson, one piece per connection', async () => {
    const result = await analyze(captures, { keyLogFiles: readdirSync(dir).filter((f) => f.endsWith('.keys.log')).map((f) => join(dir, f)) });
    expect(result.connections.length).toBeGreaterThan(10);
    const pieces = [...renderJsonChunks(result)];
    expect(pieces.join('')).toBe(renderJson(result));
    expect(pieces.length).toBeGreaterThan(result.connections.length);
  });

  it('writes exactly renderJson when nothing was found', async () => {
    const result = await analyze(join(root, 'package.json'), { unreadableInput: 'report' });
    expect(result.connections).toHaveLength(0);
    expect([...renderJsonChunks(result)].join('')).toBe(renderJson(result));
  });
});
