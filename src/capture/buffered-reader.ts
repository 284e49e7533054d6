import { CaptureFault, describeBytes } from './errors.js';
import { ReaderContext, type FormatParser } from './context.js';
import { PcapParser, isPcapMagic } from './pcap.js';
import { BLOCK_SECTION_HEADER, MAX_BLOCK_LENGTH, PcapngParser } from './pcapng.js';
import type { CaptureError, CaptureFormat, CaptureSink } from './types.js';

export const READ_CHUNK_LENGTH = 1024 * 1024;

/**
 * Keeps the not-yet-parsed bytes of the capture contiguous in one reused buffer and hands them to the format
 * parser. Sources either write straight into `writableSpace()` (file reads) or `append` chunks (streams).
 */
export class BufferedReader {
  private buf: Uint8Array;
  private view: DataView;
  private start = 0;
  private end = 0;
  /** Offset in the capture of buf[0]. */
  private base = 0;
  private parser: FormatParser | null = null;
  readonly ctx: ReaderContext;
  error: CaptureError | null = null;
  /** Set by the source when the input turned out to be gzip'd. */
  compressed = false;

  constructor(sink: CaptureSink, maxPacketLength: number) {
    this.ctx = new ReaderContext(sink, maxPacketLength);
    this.buf = new Uint8Array(READ_CHUNK_LENGTH + 64 * 1024);
    this.view = new DataView(this.buf.buffer);
  }

  get format(): CaptureFormat | null {
    return this.parser ? this.parser.format : null;
  }

  get frames(): number {
    return this.ctx.frames;
  }

  get done(): boolean {
    return this.error !== null;
  }

  /** Bytes of the capture taken in so far. */
  get bytesRead(): number {
    return this.base + this.end;
  }

  fail(fault: CaptureFault): void {
    if (!this.error) this.error = fault.toError();
  }

  /** Free space at the end of the buffer for a direct read; makes room first. */
  writableSpace(): { buffer: Uint8Array; offset: number; length: number } {
    this.makeRoom(1);
    return { buffer: this.buf, offset: this.end, length: this.buf.length - this.end };
  }

  /** Records `n` bytes written into the space from writableSpace() and parses what is complete. */
  commit(n: number): void {
    this.end += n;
    this.parse();
  }

  /** Copies a chunk in, parsing as the buffer fills, so a chunk larger than the buffer is fine. */
  append(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length && !this.error) {
      this.makeRoom(1);
      const n = Math.min(chunk.length - at, this.buf.length - this.end);
      this.buf.set(at === 0 && n === chunk.length ? chunk : chunk.subarray(at, at + n), this.end);
      at += n;
      this.commit(n);
    }
  }

  /** Parses a whole capture held in memory, without copying it. */
  parseWhole(bytes: Uint8Array): void {
    this.buf = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.start = 0;
    this.end = bytes.length;
    this.parse();
    this.finish();
  }

  /** The input ended. */
  finish(): void {
    if (this.error) return;
    try {
      if (!this.parser) {
        if (this.end === 0) throw new CaptureFault('empty', 'the capture is empty: expected a pcap or pcapng file header at offset 0', 0);
        this.detect(true);
      }
      this.parser!.finish(this.buf, this.view, this.start, this.end, this.base);
    } catch (e) {
      if (e instanceof CaptureFault) this.fail(e);
      else throw e;
    }
  }

  private parse(): void {
    if (this.error) return;
    try {
      if (!this.parser && !this.detect(false)) return;
      this.start = this.parser!.parse(this.buf, this.view, this.start, this.end, this.base);
    } catch (e) {
      if (e instanceof CaptureFault) this.fail(e);
      else throw e;
    }
  }

  private detect(atEnd: boolean): boolean {
    const available = this.end - this.start;
    if (available < 4) {
      if (!atEnd) return false;
      const known = [0xd4, 0xc3, 0xb2, 0xa1, 0x0a, 0x0d, 0x0d, 0x0a];
      const prefix = this.buf.subarray(this.start, this.end);
      const looksLikeCapture = [0, 4].some((k) => prefix.every((b, i) => b === known[k + i]) || prefix.every((b, i) => b === known[k + 3 - i]));
      throw new CaptureFault(
        looksLikeCapture ? 'truncated-header' : 'not-a-capture',
        looksLikeCapture
          ? `expected a capture file header at offset 0, the file ends after ${available} bytes`
          : `expected a pcap or pcapng magic number at offset 0, found ${describeBytes(this.buf, this.start, this.end)}`,
        0,
      );
    }
    const magic = this.view.getUint32(this.start, true);
    if (isPcapMagic(magic)) this.parser = new PcapParser(this.ctx);
    else if (magic === BLOCK_SECTION_HEADER) this.parser = new PcapngParser(this.ctx);
    else if (available < 8 && !atEnd) {
      return false; // wait for a few more bytes to name in the message
    } else {
      throw new CaptureFault(
        'not-a-capture',
        `expected a pcap or pcapng magic number at offset 0, found ${describeBytes(this.buf, this.start, this.end)}`,
        0,
      );
    }
    return true;
  }

  /** Ensures at least `min` free bytes after `end` and room for the record the parser waits for. */
  private makeRoom(min: number): void {
    const needed = this.parser ? this.parser.needed : 0;
    const pending = this.end - this.start;
    if (this.buf.length - this.end >= min && this.buf.length - this.start >= needed) return;
    // Parsers check a record's length against their limits before asking for it; this is a second guard.
    const wanted = Math.max(needed, pending + min);
    if (wanted > MAX_BLOCK_LENGTH + READ_CHUNK_LENGTH) {
      throw new Error(`internal: buffer of ${wanted} bytes requested`);
    }
    if (wanted + READ_CHUNK_LENGTH / 4 > this.buf.length || this.start === 0) {
      const grown = new Uint8Array(Math.max(this.buf.length, wanted + READ_CHUNK_LENGTH));
      grown.set(this.buf.subarray(this.start, this.end));
      this.buf = grown;
      this.view = new DataView(grown.buffer);
    } else {
      this.buf.copyWithin(0, this.start, this.end);
    }
    this.base += this.start;
    this.end = pending;
    this.start = 0;
  }
}
