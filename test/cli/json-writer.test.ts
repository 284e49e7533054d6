import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { JsonDocumentWriter } from '../../src/cli/json-writer.js';
import { analyze } from '../../src/analyze.js';
import { renderJson } from '../../src/report/json.js';

describe('JsonDocumentWriter', () => {
  for (const batchBytes of [1 << 30, 64]) {
    it(`writes the same document as renderJson (${batchBytes === 64 ? 'a write per connection' : 'one write'})`, async () => {
      const { connections, ...facts } = await analyze([
        'captures/mtls/java-tls12-other-root-keystore-s-server.pcap',
        'captures/mtls/java-tls12-other-root-keystore-nginx.pcap',
      ]);
      expect(connections.length).toBeGreaterThan(1);
      const out = new PassThrough();
      const writes: string[] = [];
      out.on('data', (b: Buffer) => writes.push(b.toString('utf8')));
      const sink = { write: async (text: string) => void out.write(text), end: async () => void out.end() };
      const writer = new JsonDocumentWriter(sink, batchBytes);
      for (const c of connections) await writer.add(c);
      // Small batches reach the output before the run's facts are known; one large batch only at the end.
      expect(writes.length).toBe(batchBytes === 64 ? connections.length : 0);
      await writer.finish(facts);
      expect(writes.join('')).toBe(renderJson({ ...facts, connections }));
      expect(JSON.parse(writes.join('')).files.length).toBe(2);
    });
  }

  it('opens no output when there was no connection and the run ended without facts', async () => {
    let calls = 0;
    const writer = new JsonDocumentWriter({ write: async () => void calls++, end: async () => void calls++ });
    await writer.close();
    expect(calls).toBe(0);
  });
});
