import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { BufferedReader, READ_CHUNK_LENGTH } from './buffered-reader.js';
import { DEFAULT_MAX_PACKET_LENGTH } from './context.js';
import { CaptureFault } from './errors.js';
import type { CaptureSink, CaptureSummary } from './types.js';

export type * from './types.js';
export { CaptureFault, type CaptureErrorCode } from './errors.js';
export { DEFAULT_MAX_PACKET_LENGTH } from './context.js';

export interface ReadCaptureOptions {
  /** Largest captured length accepted for one packet; a larger length field stops reading. Default 256 KiB. */
  maxPacketLength?: number;
  /** Called after each chunk read with the bytes of the file taken in so far (compressed bytes for gzip). */
  onProgress?: (bytesRead: number) => void;
  /**
   * Called after each chunk; when it returns a promise, reading waits for it. Lets a consumer that works
   * asynchronously (the streaming analysis) hold the reader back instead of queueing without bound.
   */
  pace?: () => Promise<void> | void;
  /**
   * Stops reading when aborted (the CLI on SIGINT/SIGTERM): what was read so far ends the capture as if the
   * input had ended there, with no error — a live capture stopped by Ctrl-C is a capture, not a fault.
   */
  signal?: AbortSignal;
}

export type CaptureInput = string | NodeJS.ReadableStream | Uint8Array;

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/**
 * Reads a pcap or pcapng capture (gzip'd or not) and delivers its frames, decryption secrets and warnings to
 * `sink` in file order. `input` is a file path, '-' for standard input, a readable stream, or the bytes.
 * Never rejects for bad input: reading stops at the first error, reported in the summary after the frames
 * before it were delivered. It rejects only when the sink throws.
 */
export async function readCapture(input: CaptureInput, sink: CaptureSink, options: ReadCaptureOptions = {}): Promise<CaptureSummary> {
  const maxPacketLength = Math.min(options.maxPacketLength ?? DEFAULT_MAX_PACKET_LENGTH, 16 * 1024 * 1024);
  const reader = new BufferedReader(sink, maxPacketLength);
  try {
    if (input instanceof Uint8Array) {
      if (isGzip(input)) {
        await readStream(gunzip(Readable.from([input])), reader, true);
      } else {
        reader.parseWhole(input);
      }
    } else if (typeof input === 'string') {
      if (input === '-') await readRawStream(untilAborted(process.stdin, options.signal), reader, options.onProgress, options.pace);
      else await readFile(input, reader, options.onProgress, options.pace, options.signal);
    } else {
      await readRawStream(untilAborted(input, options.signal), reader, options.onProgress, options.pace);
    }
  } catch (e) {
    if (e instanceof CaptureFault) reader.fail(e);
    else if (isSystemError(e)) {
      reader.fail(new CaptureFault('read-error', `cannot read the capture: ${e.message}`, reader.bytesRead));
    } else throw e;
  }
  return {
    format: reader.format,
    compressed: reader.compressed,
    frames: reader.frames,
    bytesRead: reader.bytesRead,
    error: reader.error,
  };
}

function isGzip(bytes: Uint8Array, offset = 0): boolean {
  return bytes.length - offset >= 2 && bytes[offset] === GZIP_MAGIC_0 && bytes[offset + 1] === GZIP_MAGIC_1;
}

function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string';
}

/** Reads a plain file with positional reads straight into the reader's buffer; gzip'd files go through zlib. */
async function readFile(
  path: string,
  reader: BufferedReader,
  onProgress?: (bytesRead: number) => void,
  pace?: () => Promise<void> | void,
  signal?: AbortSignal,
): Promise<void> {
  const handle = await open(path, 'r');
  try {
    let first = true;
    for (;;) {
      const space = reader.writableSpace();
      const { bytesRead } = await handle.read(space.buffer, space.offset, Math.min(space.length, READ_CHUNK_LENGTH), null);
      if (bytesRead === 0) break;
      if (first) {
        first = false;
        if (bytesRead >= 2 && isGzip(space.buffer, space.offset)) {
          const inflated = gunzip(countBytes(createReadStream(path, { highWaterMark: READ_CHUNK_LENGTH }), onProgress));
          await readStream(untilAborted(inflated, signal), reader, true, pace);
          return;
        }
      }
      reader.commit(bytesRead);
      onProgress?.(reader.bytesRead);
      if (reader.done) return;
      await pace?.();
      if (signal?.aborted) break;
    }
    reader.finish();
  } finally {
    await handle.close();
  }
}

/** Reads a stream, looking at its first bytes to decide whether it is gzip'd. */
async function readRawStream(
  stream: AsyncIterable<Uint8Array | string>,
  reader: BufferedReader,
  onProgress?: (bytesRead: number) => void,
  pace?: () => Promise<void> | void,
): Promise<void> {
  const source = (stream as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
  let total = 0;
  const iterator = {
    async next(): Promise<IteratorResult<Uint8Array | string>> {
      const next = await source.next();
      if (!next.done && onProgress) onProgress((total += next.value.length));
      return next;
    },
  };
  const head: Uint8Array[] = [];
  let headLength = 0;
  while (headLength < 2) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = toBytes(next.value);
    head.push(chunk);
    headLength += chunk.length;
  }
  const headBytes = head.length === 1 ? head[0]! : Buffer.concat(head);
  async function* rest(): AsyncGenerator<Uint8Array> {
    yield headBytes;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield toBytes(next.value);
    }
  }
  if (isGzip(headBytes)) {
    await readStream(gunzip(Readable.from(rest())), reader, true, pace);
    return;
  }
  await readStream(rest(), reader, false, pace);
}

/** The chunks of `source` until `signal` aborts; a read still pending then is left unanswered. */
function untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncIterable<T> {
  if (signal === undefined) return source;
  const aborted = new Promise<'aborted'>((resolve) => {
    if (signal.aborted) resolve('aborted');
    else signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  return {
    async *[Symbol.asyncIterator]() {
      const chunks = source[Symbol.asyncIterator]();
      for (;;) {
        const next = await Promise.race([chunks.next(), aborted]);
        if (next === 'aborted' || next.done) return;
        yield next.value;
      }
    },
  };
}

/** Reports the raw (before gunzip) bytes read from a file stream that is piped (so 'data' events flow anyway). */
function countBytes<T extends NodeJS.ReadableStream>(stream: T, onProgress: ((bytesRead: number) => void) | undefined): T {
  if (!onProgress) return stream;
  let total = 0;
  stream.on('data', (chunk: Uint8Array | string) => {
    total += chunk.length;
    onProgress(total);
  });
  return stream;
}

function toBytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
}

function gunzip(source: Readable): Readable {
  const inflater = createGunzip({ chunkSize: 256 * 1024 });
  pipeline(source, inflater, () => {
    // Errors surface through iteration of `inflater`.
  });
  return inflater;
}

async function readStream(
  chunks: AsyncIterable<Uint8Array>,
  reader: BufferedReader,
  compressed: boolean,
  pace?: () => Promise<void> | void,
): Promise<void> {
  reader.compressed = compressed;
  try {
    for await (const chunk of chunks) {
      reader.append(chunk);
      if (reader.done) return;
      await pace?.();
    }
  } catch (e) {
    if (compressed && isSystemError(e) && e.code?.startsWith('Z_')) {
      throw new CaptureFault(
        'gzip-error',
        `the gzip stream is corrupt or truncated after ${reader.bytesRead} decompressed bytes: ${e.message}`,
        reader.bytesRead,
      );
    }
    throw e;
  }
  reader.finish();
}
