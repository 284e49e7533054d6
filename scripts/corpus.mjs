// The corpus of real captures as scripts and tests walk it: which folders, which files, which key log.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

export const DEFAULT_FOLDERS = ['captures/mtls', 'captures/server', 'captures/tcp', 'captures/starttls', 'captures/crl', 'captures/verdicts', 'captures/keys'];

/** Every .pcap / .pcapng / .pcap.gz under the given paths (folders are not descended into). */
export function listCaptures(paths, root) {
  const out = [];
  for (const path of paths) {
    const full = isAbsolute(path) ? path : join(root, path);
    if (!existsSync(full)) continue;
    if (statSync(full).isDirectory()) {
      for (const name of readdirSync(full).sort()) {
        if (/\.(pcap|pcapng)(\.gz)?$/.test(name)) out.push(join(full, name));
      }
    } else out.push(full);
  }
  return out;
}

/** `<name>.keys.log` beside the capture, or null. */
export function keyLogFor(capture) {
  const candidate = capture.replace(/\.(pcap|pcapng)(\.gz)?$/, '.keys.log');
  return existsSync(candidate) ? candidate : null;
}

/** `<name>.expected.json` beside the capture: the reviewed `tlsdiag --json` output for it. */
export function expectedJsonFor(capture) {
  return capture.replace(/\.(pcap|pcapng)(\.gz)?$/, '.expected.json');
}
