import { describe, expect, it } from 'vitest';
import { FORMATS_DIR, JA4_DIR, capturesIn, epochText, readAll, tsharkFrames } from './helpers.js';
import { requireTool } from '../tools.js';

/** Wireshark's WTAP_ENCAP numbers of the link types in our captures, mapped to LINKTYPE values. */
const WTAP_TO_LINKTYPE: Record<number, number> = { 1: 1, 15: 0, 25: 113, 210: 276, 7: 101, 129: 101 };

const TSHARK = requireTool('tshark', 'the comparisons of real captures with tshark (only error-free reading is checked)');
const formats = capturesIn(FORMATS_DIR);
const ja4 = capturesIn(JA4_DIR);
if (ja4.length === 0) console.warn(`${JA4_DIR} is absent: the shared JA4 conformance captures are skipped`);

describe.each([
  ['captures/formats', formats],
  ['shared JA4 captures', ja4],
])('%s', (_label, files) => {
  it.runIf(files.length === 0)('has no captures here (skipped)', () => {});

  describe.each(files.map((f) => [f.slice(f.lastIndexOf('/') + 1), f]))('%s', (_name, file) => {
    it('reads to the end with no error', async () => {
      const { summary, frames, decoder } = await readAll(file);
      expect(summary.error).toBeNull();
      expect(summary.frames).toBeGreaterThan(0);
      expect(summary.frames).toBe(frames.length);
      expect(decoder.stats.frames).toBe(frames.length);
      expect(decoder.stats.unknownLinkTypes).toBe(0);
      expect(frames.map((f) => f.number)).toEqual(frames.map((_f, i) => i + 1));
    });

    it.runIf(TSHARK)('frames equal what tshark reports', async () => {
      const { frames } = await readAll(file);
      const expected = tsharkFrames(file);
      expect(frames.length).toBe(expected.length);
      const mine = frames.map((f) => [f.number, epochText(f.tsSec, f.tsNsec), f.capturedLength, f.originalLength, f.linkType, f.interfaceId]);
      const theirs = expected.map((t) => [t.number, t.timeEpoch, t.capturedLength, t.originalLength, WTAP_TO_LINKTYPE[t.encapType], t.interfaceId]);
      expect(mine[0]).toEqual(theirs[0]);
      expect(mine.at(-1)).toEqual(theirs.at(-1));
      expect(mine).toEqual(theirs);
    });
  });
});
