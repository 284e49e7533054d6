import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { looksLikeCapture } from '../capture/magic.js';

export { looksLikeCapture };

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
