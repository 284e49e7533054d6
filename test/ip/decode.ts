import type { CaptureWarning, Frame } from '../../src/capture/index.js';
import { PacketDecoder, type PacketDecoderStats } from '../../src/ip/index.js';
import { copySegment, readAll, type FrameRecord, type SegmentRecord } from '../capture/helpers.js';

/** The frames of a real capture, each copied out of the reader's buffer. */
export async function framesOf(path: string): Promise<FrameRecord[]> {
  return (await readAll(path)).frames;
}

/** A frame as the reader hands it over, holding `bytes` under `linkType` (its number, time… kept from `like`). */
export function frameOf(like: FrameRecord, bytes: Uint8Array, linkType = like.linkType): Frame {
  return { ...like, linkType, bytes, offset: 0, capturedLength: bytes.length, originalLength: Math.max(bytes.length, like.originalLength) };
}

export interface Decoded {
  segments: SegmentRecord[];
  warnings: CaptureWarning[];
  stats: PacketDecoderStats;
}

/** Runs frames through one PacketDecoder, keeping copies of what it delivers. */
export function decode(frames: Iterable<Frame>): Decoded {
  const segments: SegmentRecord[] = [];
  const warnings: CaptureWarning[] = [];
  const decoder = new PacketDecoder((s) => segments.push(copySegment(s)), (w) => warnings.push(w));
  for (const frame of frames) decoder.frame(frame);
  return { segments, warnings, stats: decoder.stats };
}
