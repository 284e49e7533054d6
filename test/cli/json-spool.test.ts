import { existsSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { JsonSpool } from '../../src/cli/json-spool.js';
import { analyze } from '../../src/analyze.js';
import { jsonConnection, jsonHead, jsonTail, renderJson } from '../../src/report/json.js';

async function written(spool: JsonSpool, head: string, tail: string): Promise<string> {
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on('data', (b: Buffer) => parts.push(b));
  await spool.writeTo(head, tail, out);
  return Buffer.concat(parts).toString('utf8');
}

describe('JsonSpool', () => {
  for (const memory of [1 << 30, 64]) {
    it(`writes the same document as renderJson (${memory === 64 ? 'spilled to a file' : 'in memory'})`, async () => {
      const { connections, ...facts } = await analyze(['captures/mtls/java-tls12-other-root-keystore-s-server.pcap', 'captures/mtls/java-tls12-other-root-keystore-nginx.pcap']);
      expect(connections.length).toBeGreaterThan(1);
      const spool = new JsonSpool(memory);
      connections.forEach((c, i) => spool.add(jsonConnection(c, i)));
      const dir = spool.spillDirectory;
      expect(dir !== null).toBe(memory === 64);
      const text = await written(spool, jsonHead(facts), jsonTail(connections.length));
      spool.discard();
      expect(text).toBe(renderJson({ ...facts, connections }));
      if (dir) expect(existsSync(dir)).toBe(false);
    });
  }
});
