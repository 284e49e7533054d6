// Writes a handshake-heavy capture of <bytes> to standard output without touching the disk, for the
// "peak RSS unchanged at 10× size" check: node bench/stream-data.js handshake <bytes> | tlsdiag -
import { buildCapture, corpusSources } from './build-data.js';

const [kind, bytesText] = process.argv.slice(2);
if (kind !== 'handshake' || !Number.isFinite(Number(bytesText))) {
  process.stderr.write('usage: node bench/stream-data.js handshake <bytes>\n');
  process.exit(2);
}
buildCapture(1, corpusSources(), Number(bytesText));
