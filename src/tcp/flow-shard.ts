import type { TcpSegment } from '../ip/tcp-segment.js';
import { hashTuple, TupleHashKey } from './tuple-hash.js';

/**
 * One thread's share of a capture's TCP connections when several threads read the same file (src/parallel):
 * every thread frames and decodes every packet, and reassembles and analyses only the connections whose
 * 4-tuple hashes to its `index`. The key is drawn once per run and given to every shard, so they agree on
 * each connection's owner while a capture still cannot be crafted to pile its connections onto one thread.
 */
export interface FlowShard {
  /** This thread's share: 0 ≤ index < count. */
  index: number;
  count: number;
  /** The run's four TupleHashKey words, the same in every shard. */
  key: number[];
}

/** Whether a segment belongs to the shard's connections (both directions of a connection alike). */
export function shardFilter(shard: FlowShard): (segment: TcpSegment) => boolean {
  const { index, count } = shard;
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`a flow shard's index must be an integer from 0 to count - 1, got ${index} of ${count}`);
  }
  const key = new TupleHashKey(shard.key);
  return (segment) => hashTuple(key, segment) % count === index;
}
