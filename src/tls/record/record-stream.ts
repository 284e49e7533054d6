import { MAX_RECORD_LENGTH, type RecordLayerError, type TlsRecord } from './types.js';

export interface RecordStreamListener {
  record(record: TlsRecord): void;
  /** The stream lost `missing` bytes; record framing cannot continue past it. */
  gap(missing: number, streamOffset: number, frame: number, time: number): void;
  error(error: RecordLayerError): void;
}

/**
 * Frames one direction's byte stream into TLS records. Bodies are kept only when `keepBody` says so for the
 * record's content type; other bodies are skipped byte-for-byte without copying, so application data costs
 * nothing but a counter.
 */
export class RecordStream {
  private readonly header = new Uint8Array(5);
  private headerFilled = 0;
  private body: Uint8Array | null = null;
  private bodyFilled = 0;
  private skipRemaining = 0;
  private current: TlsRecord | null = null;
  private offset = 0;
  private stopped = false;

  constructor(
    private readonly listener: RecordStreamListener,
    private readonly keepBody: (contentType: number, length: number) => boolean,
  ) {}

  get streamOffset(): number {
    return this.offset;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** True when the stream sits between records (nothing partial is buffered). */
  get atRecordBoundary(): boolean {
    return this.headerFilled === 0 && this.current === null;
  }

  push(data: Uint8Array, frame: number, time: number): void {
    let pos = 0;
    const end = data.length;
    while (pos < end && !this.stopped) {
      const record = this.current;
      if (record === null) {
        const take = Math.min(5 - this.headerFilled, end - pos);
        this.header.set(data.subarray(pos, pos + take), this.headerFilled);
        if (this.headerFilled === 0) this.recordStartFrame = frame;
        this.headerFilled += take;
        pos += take;
        this.offset += take;
        if (this.headerFilled === 5) this.beginRecord(frame, time);
        continue;
      }
      if (this.body !== null) {
        const take = Math.min(record.length - this.bodyFilled, end - pos);
        this.body.set(data.subarray(pos, pos + take), this.bodyFilled);
        this.bodyFilled += take;
        pos += take;
        this.offset += take;
        if (this.bodyFilled === record.length) this.finishRecord(frame, time);
      } else {
        const take = Math.min(this.skipRemaining, end - pos);
        this.skipRemaining -= take;
        pos += take;
        this.offset += take;
        if (this.skipRemaining === 0) this.finishRecord(frame, time);
      }
    }
  }

  /** A hole in the TCP stream: framing is lost, so this direction stops here. */
  gap(missing: number, frame: number, time: number): void {
    if (this.stopped) return;
    this.listener.gap(missing, this.offset, frame, time);
    this.stopped = true;
  }

  stop(): void {
    this.stopped = true;
  }

  private recordStartFrame = 0;

  private beginRecord(frame: number, time: number): void {
    const h = this.header;
    const contentType = h[0]!;
    const version = (h[1]! << 8) | h[2]!;
    const length = (h[3]! << 8) | h[4]!;
    const headerOffset = this.offset - 5;
    if (contentType < 20 || contentType > 24 || h[1] !== 3) {
      this.fail({
        code: 'not-tls',
        message: `expected a TLS record header (content type 20-24, version 3.x) at stream offset ${headerOffset}, found bytes ${hex(h)}`,
        streamOffset: headerOffset,
        frame,
      });
      return;
    }
    if (length > MAX_RECORD_LENGTH) {
      this.fail({
        code: 'record-too-long',
        message: `record length ${length} at stream offset ${headerOffset} exceeds the TLS maximum of ${MAX_RECORD_LENGTH}`,
        streamOffset: headerOffset,
        frame,
      });
      return;
    }
    this.current = {
      contentType,
      version,
      length,
      fragment: null,
      header: this.header.slice(),
      firstFrame: this.recordStartFrame,
      frame,
      time,
      streamOffset: headerOffset,
    };
    if (this.keepBody(contentType, length)) {
      this.body = new Uint8Array(length);
      this.bodyFilled = 0;
    } else {
      this.body = null;
      this.skipRemaining = length;
    }
    if (length === 0) this.finishRecord(frame, time);
  }

  private finishRecord(frame: number, time: number): void {
    const record = this.current!;
    record.fragment = this.body;
    record.frame = frame;
    record.time = time;
    this.current = null;
    this.body = null;
    this.headerFilled = 0;
    this.listener.record(record);
  }

  private fail(error: RecordLayerError): void {
    this.stopped = true;
    this.listener.error(error);
  }
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
