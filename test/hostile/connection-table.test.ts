import { describe, expect, it } from 'vitest';
import { streamConnections } from '../../src/tcp/streams.js';
import type { StreamHandler } from '../../src/tcp/types.js';
import { pcapOf, SYN, tcpPacket } from './craft.js';

const COUNT = 40_000;
const SERVER = 0x0a640001;

/**
 * Before the hash had a key, each endpoint was hashed as imul(address ^ imul(port, 0x9e3779b1), 0x85ebca6b):
 * every (address, port) with the same address ^ imul(port, 0x9e3779b1) gave the same value, so 40 000 SYNs
 * from such endpoints to one server all fell in one chain, and each new SYN walked all the earlier ones
 * (21 s against 1.7 s, issue 17).
 */
function* craftedCollisions(): Generator<Uint8Array> {
  for (let i = 0; i < COUNT; i++) {
    const port = 1024 + i;
    const address = (0x0a000001 ^ Math.imul(port, 0x9e3779b1)) >>> 0;
    yield tcpPacket({ src: address, dst: SERVER, srcPort: port, dstPort: 443, seq: i, flags: SYN });
  }
}

function* ordinary(): Generator<Uint8Array> {
  for (let i = 0; i < COUNT; i++) yield tcpPacket({ src: 0x0a000001 + (i >> 14), dst: SERVER, srcPort: 1024 + (i & 0x3fff), dstPort: 443, seq: i, flags: SYN });
}

async function tableWork(packets: Iterable<Uint8Array>) {
  let opened = 0;
  const result = await streamConnections(pcapOf(packets), {
    open: (): StreamHandler => {
      opened++;
      return { data: () => {}, gap: () => {}, end: () => {} };
    },
  });
  expect(opened).toBe(COUNT);
  return result.table;
}

describe('the connection table hash has a key', () => {
  it(`${COUNT} SYNs crafted to collide under the old unkeyed hash cost no more than 2x ordinary ones`, async () => {
    const plain = await tableWork(ordinary());
    const crafted = await tableWork(craftedCollisions());
    expect(plain.lookups).toBe(COUNT);
    expect(crafted.lookups).toBe(COUNT);
    // Probe steps (connections compared) stand for the time: the old hash made them ~COUNT^2 / 2 = 8e8.
    expect(crafted.probes).toBeLessThanOrEqual(2 * Math.max(plain.probes, COUNT));
    expect(crafted.longestChain).toBeLessThanOrEqual(Math.max(4, 2 * plain.longestChain));
  });
});
