import type { CaptureFormat, CaptureSink, Frame } from './types.js';

/** Default and hard ceiling for one packet's captured length (Wireshark's own limit is 256 KiB too). */
export const DEFAULT_MAX_PACKET_LENGTH = 256 * 1024;

/** What every format parser shares: where frames go, the one reused Frame, the limits. */
export class ReaderContext {
  readonly frame: Frame = {
    number: 0,
    tsSec: 0,
    tsNsec: 0,
    linkType: 0,
    interfaceId: 0,
    capturedLength: 0,
    originalLength: 0,
    bytes: new Uint8Array(0),
    offset: 0,
  };
  frames = 0;

  constructor(
    readonly sink: CaptureSink,
    readonly maxPacketLength: number,
  ) {}
}

/**
 * A push parser for one capture format. The caller keeps the unread bytes contiguous in one buffer and calls
 * `parse` whenever more arrived; the parser consumes only whole records and says how many bytes it needs next.
 */
export interface FormatParser {
  readonly format: CaptureFormat;
  /** Contiguous bytes the next record needs, counted from the start `parse` returned. */
  needed: number;
  /**
   * Consumes the complete records in buf[start, end) and returns where the unconsumed bytes begin.
   * `base` is the offset of buf[0] in the (decompressed) capture. Throws CaptureFault on bad input.
   */
  parse(buf: Uint8Array, view: DataView, start: number, end: number, base: number): number;
  /** The input ended with buf[start, end) unconsumed: throws the matching truncation error when it is not empty. */
  finish(buf: Uint8Array, view: DataView, start: number, end: number, base: number): void;
}
