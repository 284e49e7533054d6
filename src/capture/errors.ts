import type { CaptureError } from './types.js';

/** Stable codes of the errors that stop reading a capture. */
export type CaptureErrorCode =
  | 'empty'
  | 'not-a-capture'
  | 'truncated-header'
  | 'truncated-packet'
  | 'truncated-block'
  | 'packet-too-large'
  | 'bad-block-length'
  | 'block-length-mismatch'
  | 'block-too-large'
  | 'bad-section-header'
  | 'unsupported-version'
  | 'unknown-interface'
  | 'gzip-error'
  | 'read-error';

/** Thrown inside the reader to stop at the first error; readCapture turns it into CaptureSummary.error. */
export class CaptureFault extends Error implements CaptureError {
  constructor(
    readonly code: CaptureErrorCode,
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'CaptureFault';
  }

  toError(): CaptureError {
    return { code: this.code, message: this.message, offset: this.offset };
  }
}

/** Hex dump plus printable text of a few bytes, for messages about unexpected content. */
export function describeBytes(bytes: Uint8Array, start: number, end: number, max = 8): string {
  const stop = Math.min(end, start + max);
  let hex = '';
  let text = '';
  for (let i = start; i < stop; i++) {
    const b = bytes[i]!;
    hex += (hex ? ' ' : '') + b.toString(16).padStart(2, '0');
    text += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
  }
  return `${hex} ('${text}')`;
}
