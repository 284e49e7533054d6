import { closeSync, openSync, readSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';

/** Bytes read from the start of a file to recognise it. */
const PEEK = 4096;

/**
 * Whether a file starts like a pcap, pcapng or gzip'd capture — by content, since captures come named .cap,
 * .dmp, .out or nothing at all. False also when the file cannot be read.
 */
export function looksLikeCapture(file: string): boolean {
  try {
    return startsLikeCapture(peek(file));
  } catch {
    return false;
  }
}

/** The first bytes of a file (at most 4 KiB); throws the system error when it cannot be read. */
export function peek(file: string): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    const buffer = new Uint8Array(PEEK);
    const n = readSync(fd, buffer, 0, PEEK, 0);
    return buffer.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Whether these first bytes of a file are those of a pcap, pcapng or gzip'd capture. */
export function startsLikeCapture(head: Uint8Array): boolean {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    try {
      // A partial gzip stream: inflate what there is without insisting on the end.
      return hasCaptureMagic(gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH }));
    } catch {
      return false;
    }
  }
  return hasCaptureMagic(head);
}

function hasCaptureMagic(b: Uint8Array): boolean {
  if (b.length < 4) return false;
  const magic = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  return [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a].includes(magic);
}
