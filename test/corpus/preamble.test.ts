import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { streamConnections } from '../../src/tcp/streams.js';
import type { Direction } from '../../src/tcp/types.js';
import { identifyUpgrade, PlaintextPreamble } from '../../src/tls/preamble.js';
import { repoPath } from '../repo.js';

const SOCKS_CAPTURE = repoPath('..', 'shared', 'conformance', 'ja4', 'captures', 'socks-https-example.pcap');

/** The first bytes (up to 4 KiB) each direction of each connection carried. */
async function firstBytes(file: string): Promise<Array<[Uint8Array, Uint8Array]>> {
  const streams: Array<[number[], number[]]> = [];
  await streamConnections(file, {
    open: () => {
      const entry: [number[], number[]] = [[], []];
      streams.push(entry);
      return {
        data: (direction: Direction, data: Uint8Array) => {
          const into = entry[direction];
          for (let i = 0; i < data.length && into.length < 4096; i++) into.push(data[i]!);
        },
        gap: () => undefined,
        end: () => undefined,
      };
    },
  });
  return streams.map(([a, b]) => [Uint8Array.from(a), Uint8Array.from(b)]);
}

describe.runIf(existsSync(SOCKS_CAPTURE))('TLS after a plaintext preamble (SOCKS)', () => {
  it('finds the ClientHello wherever the stream is split into chunks', async () => {
    const streams = await firstBytes(SOCKS_CAPTURE);
    const withTls = streams.filter(([client]) => client.length > 0);
    expect(withTls.length).toBeGreaterThan(0);
    for (const [client, server] of withTls) {
      const whole = new PlaintextPreamble().push(0, client);
      expect(whole).not.toBeNull();
      expect(whole!.messageType).toBe(1);
      const helloAt = whole!.offset;
      expect(helloAt).toBeGreaterThan(0);
      // Every split point, including ones that cut the record header in two.
      for (let split = 1; split < Math.min(client.length, helloAt + 12); split++) {
        const preamble = new PlaintextPreamble();
        const first = preamble.push(0, client.subarray(0, split));
        const start = first ?? preamble.push(0, client.subarray(split));
        expect(start, `split at ${split}`).not.toBeNull();
        const begin = Uint8Array.from([...start!.carry, ...start!.data.subarray(start!.offset)]);
        expect(begin.subarray(0, 6)).toEqual(client.subarray(helloAt, helloAt + 6));
      }
      expect(['socks4', 'socks5']).toContain(identifyUpgrade(client.subarray(0, helloAt), server));
    }
  });

  it('gives up on plain text after the scan limit', () => {
    const preamble = new PlaintextPreamble();
    const text = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: example\r\n\r\n'.repeat(3000));
    expect(preamble.push(0, text)).toBeNull();
    expect(preamble.push(1, text)).toBeNull();
    expect(preamble.exhausted).toBe(true);
  });
});
