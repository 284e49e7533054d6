// Writes a bench capture of <bytes> to standard output without touching the disk, for the "peak RSS unchanged
// at 10× size" check: node bench/stream-data.js handshake|bulk <bytes> | tlsdiag -
import { buildCapture, bulkSource, corpusSources } from './build-data.js';

const [kind, bytesText] = process.argv.slice(2);
if ((kind !== 'handshake' && kind !== 'bulk') || !Number.isFinite(Number(bytesText))) {
  process.stderr.write('usage: node bench/stream-data.js handshake|bulk <bytes>\n');
  process.exit(2);
}
buildCapture(1, kind === 'handshake' ? corpusSources() : [bulkSource()], Number(bytesText));
