import { createInflateRaw, crc32, type InflateRaw } from 'node:zlib';
import { CaptureFault } from './errors.js';
import type { CaptureWarning } from './types.js';
import { errorMessage } from '../util/errors.js';

/** Compressed bytes handed to the inflater at a time: small enough that the member's end is found close by. */
const INPUT_PIECE = 64 * 1024;
const OUTPUT_CHUNK = 256 * 1024;
/** A gzip header's optional name, comment and extra field together; real ones hold a file name. */
const MAX_HEADER_LENGTH = 64 * 1024;

const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const FRESERVED = 0xe0;

/**
 * Decompresses gzip (RFC 1952) member after member, like `gzip -d`: bytes after the last member that are not
 * another member (trailing garbage, which `gzip -t` accepts with a warning) end the data with one warning, and
 * everything decoded before them is delivered. zlib's own gunzip stream fails there and drops the output of its
 * last write (up to 256 KiB), so the framing is read here and each member's deflate data inflated raw: the
 * inflater stops at the end of the deflate data and says how much input it took.
 */
export async function* gunzipMembers(chunks: AsyncIterable<Uint8Array>, warn: (warning: CaptureWarning) => void): AsyncGenerator<Uint8Array> {
  const input = new ChunkSource(chunks);
  for (let member = 0; ; member++) {
    const start = input.offset;
    const header = await readHeader(input);
    if (typeof header === 'string') {
      if (member === 0) throw new CaptureFault('gzip-error', `the gzip header is invalid: ${header}`, start);
      if (header !== 'end') {
        warn({
          code: 'gzip-trailing-garbage',
          message: `the bytes after the gzip data (from compressed offset ${start}) are not gzip (${header}); ignored, everything before them was read`,
          offset: start,
        });
      }
      return;
    }
    let crc = 0;
    let size = 0;
    for await (const out of inflateMember(input)) {
      crc = crc32(out, crc);
      size = (size + out.length) >>> 0;
      yield out;
    }
    const trailer = await input.take(8);
    if (trailer === null) throw new CaptureFault('gzip-error', `the gzip stream is truncated: its 8-byte trailer is missing (compressed offset ${input.offset})`, input.offset);
    const view = new DataView(trailer.buffer, trailer.byteOffset, 8);
    if (view.getUint32(0, true) !== crc >>> 0 || view.getUint32(4, true) !== size) {
      throw new CaptureFault('gzip-error', `the gzip member ending at compressed offset ${input.offset} fails its CRC-32 or length check: the data is corrupt`, input.offset);
    }
  }
}

/** Parses a member header; a string says why there is none ('end': the input ended, or only zero padding). */
async function readHeader(input: ChunkSource): Promise<{ flags: number } | string> {
  const fixed = await input.take(10);
  if (fixed === null) return (await input.onlyZerosLeft()) ? 'end' : 'the input ends inside the header';
  if (fixed.every((b) => b === 0) && (await input.onlyZerosLeft())) return 'end';
  if (fixed[0] !== 0x1f || fixed[1] !== 0x8b) return `expected the magic 1f 8b, found ${hex(fixed[0]!)} ${hex(fixed[1]!)}`;
  if (fixed[2] !== 8) return `compression method ${fixed[2]}, expected 8 (deflate)`;
  const flags = fixed[3]!;
  if ((flags & FRESERVED) !== 0) return `reserved flag bits set (${hex(flags)})`;
  let length = 10;
  if ((flags & FEXTRA) !== 0) {
    const extraLength = await input.take(2);
    if (extraLength === null) return 'the input ends inside the header';
    const n = extraLength[0]! | (extraLength[1]! << 8);
    if ((await input.skip(n)) < n) return 'the input ends inside the header';
    length += 2 + n;
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if ((flags & flag) === 0) continue;
    for (;;) {
      const byte = await input.take(1);
      if (byte === null) return 'the input ends inside the header';
      if (++length > MAX_HEADER_LENGTH) return `a header longer than ${MAX_HEADER_LENGTH} bytes`;
      if (byte[0] === 0) break;
    }
  }
  if ((flags & FHCRC) !== 0 && (await input.skip(2)) < 2) return 'the input ends inside the header';
  return { flags };
}

/** The decompressed chunks of one member's deflate data; the input is left just after it. */
async function* inflateMember(input: ChunkSource): AsyncGenerator<Uint8Array> {
  const inflater: InflateRaw = createInflateRaw({ chunkSize: OUTPUT_CHUNK });
  let failure: unknown = null;
  inflater.on('error', (e) => (failure ??= e));
  const pump = (async () => {
    let fed = 0;
    for (;;) {
      const piece = await input.next(INPUT_PIECE);
      if (piece === null) {
        inflater.end();
        return;
      }
      await written(inflater, piece);
      fed += piece.length;
      if (failure !== null) return;
      // The inflater took less than it was given: the deflate data ended there.
      const left = fed - inflater.bytesWritten;
      if (left > 0) {
        input.unread(piece.subarray(piece.length - left));
        return;
      }
    }
  })();
  try {
    for await (const out of inflater) yield out as Uint8Array;
  } catch (e) {
    failure ??= e;
  }
  await pump;
  inflater.destroy();
  if (failure !== null) throw zlibFault(failure, input.offset);
}

/** Resolves once the inflater took `piece`, or closed: on a data error zlib never calls the write's callback. */
function written(inflater: InflateRaw, piece: Uint8Array): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      inflater.off('close', done);
      resolve();
    };
    inflater.once('close', done);
    inflater.write(piece, done);
  });
}

function zlibFault(e: unknown, offset: number): CaptureFault {
  return new CaptureFault('gzip-error', `the gzip stream is corrupt or truncated near compressed offset ${offset}: ${errorMessage(e)}`, offset);
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

/** Compressed chunks read on demand, with bytes put back (what a member did not use) and an offset. */
class ChunkSource {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private pending: Uint8Array | null = null;
  /** Compressed bytes handed out so far (less those put back). */
  offset = 0;

  constructor(chunks: AsyncIterable<Uint8Array>) {
    this.iterator = chunks[Symbol.asyncIterator]();
  }

  /** Up to `max` bytes, null at the end. */
  async next(max: number): Promise<Uint8Array | null> {
    let chunk = this.pending;
    this.pending = null;
    while (chunk === null || chunk.length === 0) {
      const next = await this.iterator.next();
      if (next.done) return null;
      chunk = next.value;
    }
    if (chunk.length > max) {
      this.pending = chunk.subarray(max);
      chunk = chunk.subarray(0, max);
    }
    this.offset += chunk.length;
    return chunk;
  }

  unread(bytes: Uint8Array): void {
    this.pending = this.pending === null ? bytes : concat(bytes, this.pending);
    this.offset -= bytes.length;
  }

  /** Exactly `n` bytes (copied when they span chunks), or null, taking nothing, when the input ends first. */
  async take(n: number): Promise<Uint8Array | null> {
    const first = await this.next(n);
    if (first === null || first.length === n) return first;
    const out = new Uint8Array(n);
    out.set(first);
    let have = first.length;
    while (have < n) {
      const more = await this.next(n - have);
      if (more === null) {
        this.unread(out.slice(0, have));
        return null;
      }
      out.set(more, have);
      have += more.length;
    }
    return out;
  }

  /** Skips `n` bytes; returns how many there were. */
  async skip(n: number): Promise<number> {
    let skipped = 0;
    while (skipped < n) {
      const piece = await this.next(n - skipped);
      if (piece === null) break;
      skipped += piece.length;
    }
    return skipped;
  }

  /** True when every byte left is zero (padding gzip ignores); consumes them. Puts back a non-zero piece. */
  async onlyZerosLeft(): Promise<boolean> {
    for (;;) {
      const piece = await this.next(INPUT_PIECE);
      if (piece === null) return true;
      if (!piece.every((b) => b === 0)) {
        this.unread(piece);
        return false;
      }
    }
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
