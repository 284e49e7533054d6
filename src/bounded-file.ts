import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Largest file an option reads whole (--ca, --server-ca, --cert, --expect, --crl, --server-crl, --key,
 * --psk-file): a CA bundle of every public root is under 1 MiB, so 64 MiB is room for any real one and stops
 * `--ca /dev/zero` after 64 MiB instead of at the end of memory.
 */
export const MAX_OPTION_FILE_BYTES = 64 * 1024 * 1024;

const READ_CHUNK = 1024 * 1024;

export class FileTooLargeError extends Error {
  constructor(
    readonly path: string,
    readonly limit: number,
  ) {
    super(`${path} is larger than the limit of ${formatBytes(limit)} for a file an option reads`);
    this.name = 'FileTooLargeError';
  }
}

/**
 * The whole file, or FileTooLargeError once more than `limit` bytes came: a regular file is judged by its size
 * before any read, a device or pipe (which has none) by what it delivers.
 */
export function readBoundedFile(path: string, limit = MAX_OPTION_FILE_BYTES): Buffer {
  const fd = openSync(path, 'r');
  try {
    const stat = fstatSync(fd);
    if (stat.isFile() && stat.size > limit) throw new FileTooLargeError(path, limit);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK, limit + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
      if (total > limit) throw new FileTooLargeError(path, limit);
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

function formatBytes(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`;
}
