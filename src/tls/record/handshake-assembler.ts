import { HANDSHAKE_TYPE_NAMES } from '../registry/handshake-types.js';
import type { RecordLayerError } from './types.js';

/**
 * Largest handshake message kept; a certificate chain of 30 large certificates still fits. It is tlsdiag's
 * limit, not the protocol's (2^24 - 1): a longer message is skipped, reported as one tlsdiag could not read.
 */
export const MAX_HANDSHAKE_MESSAGE_LENGTH = 256 * 1024;

export interface HandshakeMessageBytes {
  msgType: number;
  /** The message body without its 4-byte header; owned by the receiver. */
  body: Uint8Array;
  firstFrame: number;
  frame: number;
  time: number;
}

/**
 * Rebuilds handshake messages from the handshake-content bytes of one direction: a message may span several
 * records and a record may hold several messages (RFC 8446 §5.1). The 24-bit length is checked against a
 * limit before anything is allocated for it.
 */
export class HandshakeAssembler {
  private readonly header = new Uint8Array(4);
  private headerFilled = 0;
  private body: Uint8Array | null = null;
  private bodyFilled = 0;
  private msgType = 0;
  private firstFrame = 0;
  /** Bytes of an over-limit message still to skip; the messages after it are read again. */
  private skipRemaining = 0;

  constructor(
    private readonly onMessage: (message: HandshakeMessageBytes) => void,
    private readonly onError: (error: RecordLayerError) => void,
  ) {}

  /** True when no message is partly assembled. */
  get idle(): boolean {
    return this.headerFilled === 0 && this.body === null && this.skipRemaining === 0;
  }

  push(fragment: Uint8Array, frame: number, time: number, streamOffset: number): void {
    let pos = 0;
    while (pos < fragment.length) {
      if (this.skipRemaining > 0) {
        const skip = Math.min(this.skipRemaining, fragment.length - pos);
        this.skipRemaining -= skip;
        pos += skip;
        continue;
      }
      if (this.body === null) {
        if (this.headerFilled === 0) this.firstFrame = frame;
        const take = Math.min(4 - this.headerFilled, fragment.length - pos);
        this.header.set(fragment.subarray(pos, pos + take), this.headerFilled);
        this.headerFilled += take;
        pos += take;
        if (this.headerFilled < 4) break;
        this.msgType = this.header[0]!;
        const length = (this.header[1]! << 16) | (this.header[2]! << 8) | this.header[3]!;
        if (length > MAX_HANDSHAKE_MESSAGE_LENGTH) {
          const name = HANDSHAKE_TYPE_NAMES[this.msgType] ?? `type ${this.msgType}`;
          this.headerFilled = 0;
          this.skipRemaining = length;
          this.onError({
            code: 'handshake-too-long',
            message: `a handshake message (${name}) of ${length} bytes is larger than tlsdiag's limit of ${MAX_HANDSHAKE_MESSAGE_LENGTH} bytes (near stream offset ${streamOffset}); it was skipped unread`,
            streamOffset,
            frame,
          });
          continue;
        }
        this.body = new Uint8Array(length);
        this.bodyFilled = 0;
      }
      const take = Math.min(this.body.length - this.bodyFilled, fragment.length - pos);
      this.body.set(fragment.subarray(pos, pos + take), this.bodyFilled);
      this.bodyFilled += take;
      pos += take;
      if (this.bodyFilled === this.body.length) {
        const body = this.body;
        this.body = null;
        this.headerFilled = 0;
        this.onMessage({ msgType: this.msgType, body, firstFrame: this.firstFrame, frame, time });
      }
    }
  }

  /** Drops a partial message, e.g. when the keys change under it. */
  reset(): void {
    this.body = null;
    this.headerFilled = 0;
    this.skipRemaining = 0;
  }
}
