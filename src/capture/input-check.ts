import { statSync } from 'node:fs';
import { describeBytes } from './errors.js';
import { peek, startsLikeCapture } from './magic.js';

/**
 * Why analyze() or analyzeConnections() refused an input: `code` is the system error code when the path cannot
 * be read (ENOENT, EACCES, EISDIR, ...), or 'not-a-capture' when its first bytes are not a pcap, pcapng or
 * gzip'd capture (an empty file included).
 */
export class CaptureInputError extends Error {
  override readonly name = 'CaptureInputError';

  constructor(
    readonly path: string,
    readonly code: 'not-a-capture' | (string & {}),
    message: string,
  ) {
    super(message);
  }
}

/**
 * Throws CaptureInputError unless `path` can be read and starts like a capture ('-', standard input, passes). A
 * pipe, FIFO or character device (`<(cat x.pcap)`, /dev/stdin) is only checked to exist: peeking would consume
 * the bytes the analysis needs, and the reader reports what it finds there.
 */
export function checkCaptureInput(path: string): void {
  if (path === '-') return;
  let head: Uint8Array;
  try {
    if (!statSync(path).isFile() && !statSync(path).isDirectory()) return;
    head = peek(path);
  } catch (e) {
    const error = e as NodeJS.ErrnoException;
    throw new CaptureInputError(path, error.code ?? 'read-error', `cannot read the capture ${path}: ${error.message}`);
  }
  if (!startsLikeCapture(head)) {
    const found = head.length === 0 ? 'an empty file' : describeBytes(head, 0, head.length);
    throw new CaptureInputError(path, 'not-a-capture', `${path} is not a capture: expected a pcap, pcapng or gzip'd capture, found ${found}`);
  }
}
