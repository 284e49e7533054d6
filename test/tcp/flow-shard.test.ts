import { describe, expect, it } from 'vitest';
import { shardFilter } from '../../src/tcp/flow-shard.js';
import { randomKeyWords } from '../../src/tcp/tuple-hash.js';
import { SYN, ACK, segment } from './segments.js';

const key = Array.from(randomKeyWords());

describe('shardFilter', () => {
  it('gives both directions of a connection to the same shard, and each connection to exactly one', () => {
    const owners = [0, 1, 2].map((index) => shardFilter({ index, count: 3, key }));
    for (let port = 40000; port < 40300; port++) {
      const out = segment({ from: 'client', seq: 1, flags: SYN, frame: 1, clientPort: port });
      const back = segment({ from: 'server', seq: 9, ack: 2, flags: SYN | ACK, frame: 2, clientPort: port });
      const claimed = owners.map((owns) => owns(out));
      expect(claimed.filter(Boolean)).toHaveLength(1);
      expect(owners.map((owns) => owns(back))).toEqual(claimed);
    }
  });

  it('spreads connections evenly, and where each goes depends on the run key', () => {
    const first = shardFilter({ index: 0, count: 2, key });
    const other = shardFilter({ index: 0, count: 2, key: Array.from(randomKeyWords()) });
    let mine = 0;
    let differ = 0;
    for (let port = 1024; port < 3024; port++) {
      const seg = segment({ from: 'client', seq: 1, flags: SYN, frame: 1, clientPort: port });
      if (first(seg)) mine++;
      if (first(seg) !== other(seg)) differ++;
    }
    expect(mine).toBeGreaterThan(850);
    expect(mine).toBeLessThan(1150);
    expect(differ).toBeGreaterThan(700);
  });

  it('rejects a share that is not one of count', () => {
    expect(() => shardFilter({ index: 2, count: 2, key })).toThrow(/integer from 0 to count - 1, got 2 of 2/);
    expect(() => shardFilter({ index: 0, count: 0, key })).toThrow(RangeError);
  });
});
