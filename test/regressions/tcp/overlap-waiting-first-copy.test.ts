// Broke the reassembler once: an in-order segment that overlapped a segment already waiting out of order
// delivered its own copy of the overlapping bytes, so the later copy won. Fixed in src/tcp/reassembler.ts
// (accept: deliver up to the waiting segment, drain, then the rest).
import { expect, it } from 'vitest';
import { TcpReassembler } from '../../../src/tcp/reassembler.js';
import { handshake, segment } from '../../tcp/segments.js';

it('a waiting out-of-order segment keeps its bytes when a longer in-order copy arrives (also with a snaplen tail)', () => {
  const out: string[] = [];
  const reassembler = new TcpReassembler({
    open: () => ({
      data: (_d, data) => void out.push(new TextDecoder().decode(data)),
      gap: (_d, missing) => void out.push(`<gap ${missing}>`),
      end: () => {},
    }),
  });
  for (const s of handshake(10, 20)) reassembler.segment(s);
  reassembler.segment(segment({ from: 'client', seq: 15, ack: 21, payload: 'EF', frame: 4 }));
  reassembler.segment(segment({ from: 'client', seq: 19, ack: 21, payload: 'IJ', frame: 5 }));
  // Bytes 11-22: 'abcd' then copies of 15-16 and 19-20 that must lose, then 2 captured and 2 cut bytes.
  reassembler.segment(segment({ from: 'client', seq: 11, ack: 21, payload: 'abcdxxghyykl', missing: 2, frame: 6 }));
  reassembler.finish();
  expect(out.join('')).toBe('abcdEFghIJkl<gap 2>');
});
