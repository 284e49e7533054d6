import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gunzipSync } from 'node:zlib';

const PEEK = 4096;

/**
 * Command-line inputs to capture files: files as given (the reader judges them), directories walked recursively
 * in name order, keeping the files whose first bytes are a pcap, pcapng or gzip'd capture — by content, since
 * captures come named .cap, .dmp, .out or nothing at all.
 */
export function expandInputs(paths: string[]): string[] {
  const out: string[] = [];
  for (const path of paths) {
    if (path !== '-' && isDirectory(path)) walk(path, out);
    else out.push(path);
  }
  return out;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function walk(dir: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.isFile() && looksLikeCapture(full)) out.push(full);
  }
}

export function looksLikeCapture(file: string): boolean {
  const head = peek(file);
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

function peek(file: string): Uint8Array {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buffer = new Uint8Array(PEEK);
    const n = readSync(fd, buffer, 0, PEEK, 0);
    return buffer.subarray(0, n);
  } catch {
    return new Uint8Array(0);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
