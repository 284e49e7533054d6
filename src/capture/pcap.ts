import { CaptureFault } from './errors.js';
import type { FormatParser, ReaderContext } from './context.js';

export const PCAP_FILE_HEADER_LENGTH = 24;

const MAGIC_MICROSECONDS = 0xa1b2c3d4;
const MAGIC_NANOSECONDS = 0xa1b23c4d;
/** Alexey Kuznetzov's patched libpcap: microseconds, and 8 more bytes (ifindex, protocol, type, pad) per record. */
const MAGIC_KUZNETZOV = 0xa1b2cd34;

export function isPcapMagic(leMagic: number): boolean {
  return pcapMagicKind(leMagic) !== null;
}

interface MagicKind {
  littleEndian: boolean;
  nanoseconds: boolean;
  recordHeaderLength: number;
}

function pcapMagicKind(leMagic: number): MagicKind | null {
  const beMagic = byteSwap32(leMagic);
  for (const [magic, littleEndian] of [
    [leMagic, true],
    [beMagic, false],
  ] as const) {
    if (magic === MAGIC_MICROSECONDS) return { littleEndian, nanoseconds: false, recordHeaderLength: 16 };
    if (magic === MAGIC_NANOSECONDS) return { littleEndian, nanoseconds: true, recordHeaderLength: 16 };
    if (magic === MAGIC_KUZNETZOV) return { littleEndian, nanoseconds: false, recordHeaderLength: 24 };
  }
  return null;
}

function byteSwap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

/** Classic libpcap format: a 24-byte file header, then (record header, captured bytes) pairs. */
export class PcapParser implements FormatParser {
  readonly format = 'pcap' as const;
  needed = PCAP_FILE_HEADER_LENGTH;
  private headerRead = false;
  private littleEndian = true;
  private nsPerFraction = 1000;
  private recordHeaderLength = 16;
  private linkType = 0;
  snaplen = 0;

  constructor(private readonly ctx: ReaderContext) {}

  parse(buf: Uint8Array, view: DataView, start: number, end: number, base: number): number {
    let pos = start;
    if (!this.headerRead) {
      if (end - pos < PCAP_FILE_HEADER_LENGTH) return pos;
      this.readFileHeader(view, pos);
      pos += PCAP_FILE_HEADER_LENGTH;
    }
    const ctx = this.ctx;
    const frame = ctx.frame;
    const sink = ctx.sink;
    const max = ctx.maxPacketLength;
    const le = this.littleEndian;
    const nsPerFraction = this.nsPerFraction;
    const headerLength = this.recordHeaderLength;
    frame.bytes = buf;
    frame.linkType = this.linkType;
    frame.interfaceId = 0;
    while (end - pos >= headerLength) {
      const capturedLength = view.getUint32(pos + 8, le);
      if (capturedLength > max) {
        throw new CaptureFault(
          'packet-too-large',
          `packet record at offset ${base + pos} declares ${capturedLength} captured bytes; expected at most ${max}`,
          base + pos,
        );
      }
      if (end - pos - headerLength < capturedLength) {
        this.needed = headerLength + capturedLength;
        return pos;
      }
      frame.number = ++ctx.frames;
      frame.tsSec = view.getUint32(pos, le);
      frame.tsNsec = view.getUint32(pos + 4, le) * nsPerFraction;
      frame.capturedLength = capturedLength;
      frame.originalLength = view.getUint32(pos + 12, le);
      frame.offset = pos + headerLength;
      sink.frame(frame);
      pos += headerLength + capturedLength;
    }
    this.needed = headerLength;
    return pos;
  }

  finish(_buf: Uint8Array, view: DataView, start: number, end: number, base: number): void {
    const left = end - start;
    if (left === 0) return;
    if (!this.headerRead) {
      throw new CaptureFault(
        'truncated-header',
        `expected a ${PCAP_FILE_HEADER_LENGTH}-byte pcap file header at offset ${base + start}, the file ends after ${left} bytes`,
        base + start,
      );
    }
    if (left < this.recordHeaderLength) {
      throw new CaptureFault(
        'truncated-packet',
        `expected a ${this.recordHeaderLength}-byte packet record header at offset ${base + start}, the file ends after ${left} bytes`,
        base + start,
      );
    }
    const capturedLength = view.getUint32(start + 8, this.littleEndian);
    throw new CaptureFault(
      'truncated-packet',
      `packet record at offset ${base + start} declares ${capturedLength} captured bytes, the file ends after ${left - this.recordHeaderLength}`,
      base + start,
    );
  }

  private readFileHeader(view: DataView, pos: number): void {
    const kind = pcapMagicKind(view.getUint32(pos, true));
    if (!kind) throw new CaptureFault('not-a-capture', `expected a pcap magic number at offset ${pos}`, pos);
    this.littleEndian = kind.littleEndian;
    this.nsPerFraction = kind.nanoseconds ? 1 : 1000;
    this.recordHeaderLength = kind.recordHeaderLength;
    this.snaplen = view.getUint32(pos + 16, kind.littleEndian);
    // The upper bits of the link-type field carry FCS-length flags, not the link type.
    this.linkType = view.getUint32(pos + 20, kind.littleEndian) & 0x0fffffff;
    this.headerRead = true;
    this.needed = this.recordHeaderLength;
  }
}
