import { open, type FileHandle } from 'node:fs/promises';
import { BufferedReader, READ_CHUNK_LENGTH } from './buffered-reader.js';
import { DEFAULT_MAX_PACKET_LENGTH } from './context.js';
import { CaptureFault } from './errors.js';
import { gunzipMembers } from './gunzip.js';
import type { CaptureSink, CaptureSummary, CaptureWarning } from './types.js';

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
  const warn = (warning: CaptureWarning): void => sink.warning?.(warning);
  try {
    if (input instanceof Uint8Array) {
      if (isGzip(input)) {
        await readStream(gunzipMembers(once(input), warn), reader, true);
      } else {
        reader.parseWhole(input);
      }
    } else if (typeof input === 'string') {
      if (input === '-') await readRawStream(untilAborted(process.stdin, options.signal), reader, warn, options.onProgress, options.pace);
      else await readFile(input, reader, warn, options.onProgress, options.pace, options.signal);
    } else {
      await readRawStream(untilAborted(input, options.signal), reader, warn, options.onProgress, options.pace);
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

/**
 * Reads a file straight into the reader's buffer, each read at the current position, so pipes and other
 * non-seekable paths (`<(cat x.pcap)`, /dev/stdin) read like files; gzip'd files go through gunzipMembers.
 */
async function readFile(
  path: string,
  reader: BufferedReader,
  warn: (warning: CaptureWarning) => void,
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
          // The bytes read so far are the start of the compressed stream: copied out of the reader's buffer.
          const head = space.buffer.slice(space.offset, space.offset + bytesRead);
          await readStream(untilAborted(gunzipMembers(fileChunks(handle, head, onProgress), warn), signal), reader, true, pace);
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

/** `head`, then the rest of the file in fresh 1 MiB chunks (a consumer may keep a chunk while reading on). */
async function* fileChunks(handle: FileHandle, head: Uint8Array, onProgress?: (bytesRead: number) => void): AsyncGenerator<Uint8Array> {
  let total = head.length;
  onProgress?.(total);
  yield head;
  for (;;) {
    const chunk = new Uint8Array(READ_CHUNK_LENGTH);
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) return;
    onProgress?.((total += bytesRead));
    yield chunk.subarray(0, bytesRead);
  }
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** Reads a stream, looking at its first bytes to decide whether it is gzip'd. */
async function readRawStream(
  stream: AsyncIterable<Uint8Array | string>,
  reader: BufferedReader,
  warn: (warning: CaptureWarning) => void,
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
    await readStream(gunzipMembers(rest(), warn), reader, true, pace);
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

function toBytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
}

async function readStream(
  chunks: AsyncIterable<Uint8Array>,
  reader: BufferedReader,
  compressed: boolean,
  pace?: () => Promise<void> | void,
): Promise<void> {
  reader.compressed = compressed;
  for await (const chunk of chunks) {
    reader.append(chunk);
    if (reader.done) return;
    await pace?.();
  }
  reader.finish();
}
