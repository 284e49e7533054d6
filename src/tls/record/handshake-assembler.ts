import type { RecordLayerError } from './types.js';

/** Largest handshake message kept; a certificate chain of 30 large certificates still fits. */
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
  private failed = false;

  constructor(
    private readonly onMessage: (message: HandshakeMessageBytes) => void,
    private readonly onError: (error: RecordLayerError) => void,
  ) {}

  /** True when no message is partly assembled. */
  get idle(): boolean {
    return this.headerFilled === 0 && this.body === null;
  }

  push(fragment: Uint8Array, frame: number, time: number, streamOffset: number): void {
    let pos = 0;
    while (pos < fragment.length && !this.failed) {
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
          this.failed = true;
          this.onError({
            code: 'handshake-too-long',
            message: `handshake message type ${this.msgType} claims ${length} bytes, more than the limit of ${MAX_HANDSHAKE_MESSAGE_LENGTH} (near stream offset ${streamOffset})`,
            streamOffset,
            frame,
          });
          return;
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
  }
}
