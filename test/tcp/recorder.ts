import type { CaptureWarning } from '../../src/capture/types.js';
import { TcpReassembler, type ReassemblyOptions } from '../../src/tcp/reassembler.js';
import type { Direction, StreamControl, TcpConnectionInfo } from '../../src/tcp/types.js';
import { segment, type SegmentSpec } from './segments.js';

export type Call =
  | { call: 'open'; id: number }
  | { call: 'data'; id: number; direction: Direction; text: string; frame: number }
  | { call: 'gap'; id: number; direction: Direction; missing: number }
  | { call: 'close'; id: number; direction: Direction; kind: string }
  | { call: 'end'; id: number };

/** A TcpReassembler that records every call it makes, in order; `onOpen` may ignore directions. */
export function recorder(options: ReassemblyOptions = {}, onOpen?: (info: TcpConnectionInfo, control: StreamControl) => void) {
  const calls: Call[] = [];
  const warnings: CaptureWarning[] = [];
  const reassembler = new TcpReassembler(
    {
      open(info, control) {
        calls.push({ call: 'open', id: info.id });
        onOpen?.(info, control);
        return {
          data: (direction, data, frame) => calls.push({ call: 'data', id: info.id, direction, text: new TextDecoder('latin1').decode(data), frame }),
          gap: (direction, missing) => calls.push({ call: 'gap', id: info.id, direction, missing }),
          close: (event) => calls.push({ call: 'close', id: info.id, direction: event.direction, kind: event.kind }),
          end: () => calls.push({ call: 'end', id: info.id }),
        };
      },
    },
    options,
    (w) => warnings.push(w),
  );
  /** One direction's stream as text, gaps as `<gap n>`. */
  const text = (id: number, direction: Direction) =>
    calls.map((c) => (c.call === 'data' && c.id === id && c.direction === direction ? c.text : c.call === 'gap' && c.id === id && c.direction === direction ? `<gap ${c.missing}>` : '')).join('');
  const feed = (...specs: (SegmentSpec | ReturnType<typeof segment>)[]) => {
    for (const s of specs) reassembler.segment('bytes' in s ? s : segment(s));
  };
  return { reassembler, calls, warnings, text, feed };
}
