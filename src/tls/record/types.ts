/** TLS content types (RFC 8446 §5.1). */
export const ContentType = {
  changeCipherSpec: 20,
  alert: 21,
  handshake: 22,
  applicationData: 23,
  heartbeat: 24,
} as const;

/** TLSCiphertext.length may not exceed 2^14 + 2048 (RFC 5246 §6.2.3). */
export const MAX_RECORD_LENGTH = 16384 + 2048;

/** One record as it came off the wire. `fragment` is a view valid only during the callback unless copied. */
export interface TlsRecord {
  contentType: number;
  version: number;
  length: number;
  /** The record's bytes after the header; null when the body was skipped (not kept). */
  fragment: Uint8Array | null;
  /** The 5-byte header, kept for decryption's additional data. */
  header: Uint8Array;
  /** Frame that carried the record's first byte and the frame that completed it. */
  firstFrame: number;
  frame: number;
  time: number;
  /** Offset of the record header in this direction's byte stream. */
  streamOffset: number;
}

export interface RecordLayerError {
  code: 'record-too-long' | 'not-tls' | 'handshake-too-long' | 'handshake-parse';
  message: string;
  streamOffset: number;
  frame: number;
}
