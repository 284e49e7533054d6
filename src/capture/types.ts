/**
 * What the capture reader hands to the next stage. A Frame is reused between callbacks: its `bytes` view is
 * valid only during the call that delivered it, so a consumer copies what it keeps.
 */
export interface Frame {
  /** 1-based, in file order, as Wireshark numbers frames. */
  number: number;
  /** Seconds since the Unix epoch and the nanoseconds within that second. */
  tsSec: number;
  tsNsec: number;
  /** LINKTYPE_* value of the interface that captured the frame. */
  linkType: number;
  /** pcapng interface id; 0 for classic pcap. */
  interfaceId: number;
  /** Bytes present in the file. */
  capturedLength: number;
  /** Bytes on the wire; larger than capturedLength when snaplen cut the packet. */
  originalLength: number;
  /** The read buffer; the frame's bytes are bytes[offset, offset + capturedLength). */
  bytes: Uint8Array;
  offset: number;
}

/** A pcapng Decryption Secrets Block, in file order. */
export interface DecryptionSecrets {
  /** 0x544c534b ('TLSK') for an NSS key log; other values are kept as-is. */
  secretsType: number;
  data: Uint8Array;
  /** Number of frames read before this block. */
  afterFrame: number;
}

export type CaptureFormat = 'pcap' | 'pcapng';

export interface CaptureWarning {
  /** Stable kebab-case code, e.g. 'unknown-link-type'. */
  code: string;
  message: string;
  /** Byte offset in the (decompressed) capture, when it points at a place. */
  offset?: number;
  frame?: number;
}

/** Receives what the reader finds, in file order. */
export interface CaptureSink {
  frame(frame: Frame): void;
  secrets?(secrets: DecryptionSecrets): void;
  warning?(warning: CaptureWarning): void;
}

export interface CaptureSummary {
  format: CaptureFormat | null;
  compressed: boolean;
  frames: number;
  bytesRead: number;
  /** Set when reading stopped early: what was expected and at which byte offset. */
  error: CaptureError | null;
}

export interface CaptureError {
  code: string;
  message: string;
  offset: number;
}
