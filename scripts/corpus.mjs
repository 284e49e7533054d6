// The corpus of real captures as scripts and tests walk it: which folders, which files, and what each capture
// is analysed with. The one place that knows the layout (captures/README.md): `<name>.pcap` beside its
// `<name>.keys.log` (when the client wrote one), `<name>.meta.json` (how it was recorded) and
// `<name>.expected.json` (the reviewed report).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/** The project's root folder: corpus paths in meta.json and expectation files are relative to it. */
export const ROOT = join(import.meta.dirname, '..');

export const DEFAULT_FOLDERS = ['captures/mtls', 'captures/server', 'captures/tcp', 'captures/starttls', 'captures/crl', 'captures/verdicts', 'captures/keys'];

const CAPTURE_NAME = /\.(pcap|pcapng)(\.gz)?$/;

/** Every .pcap / .pcapng / .pcap.gz under the given paths (folders are not descended into). */
export function listCaptures(paths, root = ROOT) {
  const out = [];
  for (const path of paths) {
    const full = isAbsolute(path) ? path : join(root, path);
    if (!existsSync(full)) continue;
    if (statSync(full).isDirectory()) {
      for (const name of readdirSync(full).sort()) {
        if (CAPTURE_NAME.test(name)) out.push(join(full, name));
      }
    } else out.push(full);
  }
  return out;
}

/** `<name>.keys.log` beside the capture, or null. */
export function keyLogFor(capture) {
  const candidate = capture.replace(CAPTURE_NAME, '.keys.log');
  return existsSync(candidate) ? candidate : null;
}

/** `<name>.expected.json` beside the capture: the reviewed `tlsdiag --json` output for it (with its key log only). */
export function expectedJsonFor(capture) {
  return capture.replace(CAPTURE_NAME, '.expected.json');
}

/** `<name>.meta.json` beside the capture, parsed (how it was recorded, what the peers said), or null. */
export function metaFor(capture) {
  const path = capture.replace(CAPTURE_NAME, '.meta.json');
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : null;
}

/**
 * The tlsdiag options that tell it what the server was configured with (`--ca`, `--crl`, `--verify-depth`…), as
 * the capture's meta.json "options" writes them once: with them tlsdiag can name the reason the server itself
 * logged. Paths are relative to the project root. Empty when the capture needs none. The `.expected.json` is
 * the report without them (what a user gets from the capture and its key log alone).
 */
export function serverOptionsFor(capture) {
  return metaFor(capture)?.options ?? [];
}
