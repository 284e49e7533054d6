import { describe, expect, it } from 'vitest';
import { formatAddress } from '../../src/ip/index.js';
import { FORMATS_DIR, JA4_DIR, capturesIn, readAll, tsharkFrames } from '../capture/helpers.js';
import { requireTool } from '../tools.js';

/** PacketDecoder's TCP segments of real captures, every link type and IP version they hold, against tshark's. */
const TSHARK = requireTool('tshark', "the comparison of PacketDecoder's segments with tshark's");
const formats = capturesIn(FORMATS_DIR);
const ja4 = capturesIn(JA4_DIR);

describe.runIf(TSHARK).each([
  ['captures/formats', formats],
  ['shared JA4 captures', ja4],
])('%s', (_label, files) => {
  describe.each(files.map((f) => [f.slice(f.lastIndexOf('/') + 1), f]))('%s', (_name, file) => {
    it('TCP segments equal what tshark reports', async () => {
      const { segments } = await readAll(file);
      // tshark also shows the TCP header quoted inside ICMP errors; that is not a segment of a connection.
      const expected = tsharkFrames(file).filter((t) => t.srcPort !== null && !/:icmp/.test(t.protocols));
      const mine = segments.map((s) => [
        s.frame,
        s.srcPort,
        s.dstPort,
        s.seq,
        s.payloadLength + s.missingPayload,
        formatAddress(s.srcAddr, 0, s.ipVersion),
        formatAddress(s.dstAddr, 0, s.ipVersion),
      ]);
      const theirs = expected.map((t) => [t.number, t.srcPort, t.dstPort, t.seqRaw, t.tcpLength, t.ipSrc, t.ipDst]);
      expect(mine).toEqual(theirs);
    });
  });
});
