import { CaptureFault } from './errors.js';
import type { FormatParser, ReaderContext } from './context.js';
import { MICROSECONDS, setTimestamp, timestampUnit, type TimestampUnit } from './timestamp.js';

export const BLOCK_SECTION_HEADER = 0x0a0d0d0a;
const BLOCK_INTERFACE_DESCRIPTION = 0x00000001;
const BLOCK_PACKET_OBSOLETE = 0x00000002;
const BLOCK_SIMPLE_PACKET = 0x00000003;
const BLOCK_ENHANCED_PACKET = 0x00000006;
const BLOCK_DECRYPTION_SECRETS = 0x0000000a;

const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPTION_END = 0;
const OPTION_IF_TSRESOL = 9;
const OPTION_IF_TSOFFSET = 14;

/** Smallest block: type, length, trailing length. */
const MIN_BLOCK_LENGTH = 12;
/** No real block comes near this; a larger length field is corrupt, and we refuse to buffer for it. */
export const MAX_BLOCK_LENGTH = 16 * 1024 * 1024;

/**
 * Interface Description Blocks kept per file. A real capture has a handful (dumpcap writes one per interface
 * it listens on); 20-byte blocks of a gzip'd file could otherwise pile up millions of interfaces (issue 17).
 * 65 536 is also every id the obsolete Packet Block's 16-bit interface field can name.
 */
export const MAX_INTERFACES_PER_FILE = 65_536;

interface InterfaceInfo {
  linkType: number;
  snaplen: number;
  unit: TimestampUnit;
  offsetSec: number;
}

/** Smallest total length of each block type we read, so the fields we read lie inside the block. */
const MIN_LENGTH: Record<number, [number, string]> = {
  [BLOCK_SECTION_HEADER]: [28, 'Section Header Block'],
  [BLOCK_INTERFACE_DESCRIPTION]: [20, 'Interface Description Block'],
  [BLOCK_PACKET_OBSOLETE]: [32, 'Packet Block'],
  [BLOCK_SIMPLE_PACKET]: [16, 'Simple Packet Block'],
  [BLOCK_ENHANCED_PACKET]: [32, 'Enhanced Packet Block'],
  [BLOCK_DECRYPTION_SECRETS]: [20, 'Decryption Secrets Block'],
};

/** pcapng: sections of blocks; each section has its own byte order and its own interface list. */
export class PcapngParser implements FormatParser {
  readonly format = 'pcapng' as const;
  needed = MIN_BLOCK_LENGTH;
  private littleEndian = true;
  private interfaces: InterfaceInfo[] = [];
  /** Interface Description Blocks read in the whole file, and those of the current section not kept. */
  private interfacesInFile = 0;
  private interfacesDropped = 0;
  sections = 0;

  constructor(private readonly ctx: ReaderContext) {}

  parse(buf: Uint8Array, view: DataView, start: number, end: number, base: number): number {
    const ctx = this.ctx;
    const frame = ctx.frame;
    const sink = ctx.sink;
    const max = ctx.maxPacketLength;
    frame.bytes = buf;
    let pos = start;
    while (end - pos >= MIN_BLOCK_LENGTH) {
      let le = this.littleEndian;
      const type = view.getUint32(pos, le);
      if (type === BLOCK_SECTION_HEADER || this.sections === 0) {
        le = this.sectionByteOrder(view, pos, base);
      }
      const length = view.getUint32(pos + 4, le);
      this.checkLength(type, length, base + pos);
      if (end - pos < length) {
        this.needed = length;
        return pos;
      }
      const trailing = view.getUint32(pos + length - 4, le);
      if (trailing !== length) {
        throw new CaptureFault(
          'block-length-mismatch',
          `block at offset ${base + pos} starts with length ${length} but its trailing length field (offset ${base + pos + length - 4}) says ${trailing}`,
          base + pos + length - 4,
        );
      }
      if (type === BLOCK_ENHANCED_PACKET) {
        const interfaceId = view.getUint32(pos + 8, le);
        const iface = this.interfaceAt(interfaceId, base + pos);
        const capturedLength = view.getUint32(pos + 20, le);
        this.checkPacketLength(capturedLength, length - 32, max, base + pos, 'Enhanced Packet Block');
        frame.number = ++ctx.frames;
        frame.interfaceId = interfaceId;
        frame.linkType = iface.linkType;
        setTimestamp(frame, iface.unit, view.getUint32(pos + 12, le), view.getUint32(pos + 16, le), iface.offsetSec);
        frame.capturedLength = capturedLength;
        frame.originalLength = view.getUint32(pos + 24, le);
        frame.offset = pos + 28;
        sink.frame(frame);
      } else {
        this.otherBlock(type, buf, view, pos, length, base, le);
      }
      pos += length;
    }
    this.needed = MIN_BLOCK_LENGTH;
    return pos;
  }

  finish(_buf: Uint8Array, view: DataView, start: number, end: number, base: number): void {
    const left = end - start;
    if (left === 0) return;
    if (left >= 8) {
      // A block header is present: report a bad length first, as a longer file would have.
      const type = view.getUint32(start, this.littleEndian);
      const le = type === BLOCK_SECTION_HEADER && left >= 12 ? this.sectionByteOrder(view, start, base) : this.littleEndian;
      const length = view.getUint32(start + 4, le);
      this.checkLength(type, length, base + start);
      throw new CaptureFault(
        'truncated-block',
        `block at offset ${base + start} declares ${length} bytes, the file ends after ${left}`,
        base + start,
      );
    }
    throw new CaptureFault(
      'truncated-block',
      `expected a block header (type and length, 8 bytes) at offset ${base + start}, the file ends after ${left} bytes`,
      base + start,
    );
  }

  private sectionByteOrder(view: DataView, pos: number, base: number): boolean {
    const type = view.getUint32(pos, true);
    if (type !== BLOCK_SECTION_HEADER) {
      throw new CaptureFault(
        'bad-section-header',
        `expected a Section Header Block (type 0x0a0d0d0a) at offset ${base + pos}, found type 0x${type.toString(16).padStart(8, '0')}`,
        base + pos,
      );
    }
    const magic = view.getUint32(pos + 8, true);
    if (magic === BYTE_ORDER_MAGIC) return true;
    if (view.getUint32(pos + 8, false) === BYTE_ORDER_MAGIC) return false;
    throw new CaptureFault(
      'bad-section-header',
      `expected the byte-order magic 1a2b3c4d at offset ${base + pos + 8}, found ${magic.toString(16).padStart(8, '0')}`,
      base + pos + 8,
    );
  }

  private checkLength(type: number, length: number, offset: number): void {
    if (length < MIN_BLOCK_LENGTH || length % 4 !== 0) {
      throw new CaptureFault(
        'bad-block-length',
        `block at offset ${offset} has length ${length}; expected a multiple of 4, at least ${MIN_BLOCK_LENGTH}`,
        offset,
      );
    }
    if (length > MAX_BLOCK_LENGTH) {
      throw new CaptureFault(
        'block-too-large',
        `block at offset ${offset} declares ${length} bytes; expected at most ${MAX_BLOCK_LENGTH}`,
        offset,
      );
    }
    const min = MIN_LENGTH[type];
    if (min && length < min[0]) {
      throw new CaptureFault(
        'bad-block-length',
        `${min[1]} at offset ${offset} has length ${length}; expected at least ${min[0]}`,
        offset,
      );
    }
  }

  private checkPacketLength(capturedLength: number, room: number, max: number, offset: number, kind: string): void {
    if (capturedLength > max) {
      throw new CaptureFault(
        'packet-too-large',
        `${kind} at offset ${offset} declares ${capturedLength} captured bytes; expected at most ${max}`,
        offset,
      );
    }
    if (capturedLength > room) {
      throw new CaptureFault(
        'bad-block-length',
        `${kind} at offset ${offset} declares ${capturedLength} captured bytes but holds only ${room}`,
        offset,
      );
    }
  }

  private interfaceAt(interfaceId: number, offset: number): InterfaceInfo {
    const iface = this.interfaces[interfaceId];
    if (iface === undefined) {
      if (interfaceId < this.interfaces.length + this.interfacesDropped) {
        throw new CaptureFault(
          'unknown-interface',
          `packet block at offset ${offset} names interface ${interfaceId}, defined past the limit of ${MAX_INTERFACES_PER_FILE} interfaces per file (not kept)`,
          offset,
        );
      }
      throw new CaptureFault(
        'unknown-interface',
        `packet block at offset ${offset} names interface ${interfaceId}; the section defines ${this.interfaces.length}`,
        offset,
      );
    }
    return iface;
  }

  private otherBlock(type: number, buf: Uint8Array, view: DataView, pos: number, length: number, base: number, le: boolean): void {
    const ctx = this.ctx;
    const frame = ctx.frame;
    switch (type) {
      case BLOCK_SECTION_HEADER: {
        const major = view.getUint16(pos + 12, le);
        if (major !== 1) {
          throw new CaptureFault(
            'unsupported-version',
            `Section Header Block at offset ${base + pos} has version ${major}.${view.getUint16(pos + 14, le)}; expected 1.x`,
            base + pos + 12,
          );
        }
        this.littleEndian = le;
        this.interfaces = [];
        this.interfacesDropped = 0;
        this.sections++;
        return;
      }
      case BLOCK_INTERFACE_DESCRIPTION:
        if (++this.interfacesInFile > MAX_INTERFACES_PER_FILE) {
          if (this.interfacesInFile === MAX_INTERFACES_PER_FILE + 1) {
            ctx.sink.warning?.({
              code: 'too-many-interfaces',
              message: `more than ${MAX_INTERFACES_PER_FILE} pcapng interfaces in the file (the limit); further Interface Description Blocks are ignored, from offset ${base + pos}`,
              offset: base + pos,
            });
          }
          this.interfacesDropped++;
          return;
        }
        this.interfaces.push(this.readInterface(view, pos, length, le));
        return;
      case BLOCK_SIMPLE_PACKET: {
        const iface = this.interfaceAt(0, base + pos);
        const originalLength = view.getUint32(pos + 8, le);
        let capturedLength = Math.min(originalLength, length - 16);
        if (iface.snaplen !== 0 && capturedLength > iface.snaplen) capturedLength = iface.snaplen;
        this.checkPacketLength(capturedLength, length - 16, ctx.maxPacketLength, base + pos, 'Simple Packet Block');
        frame.number = ++ctx.frames;
        frame.interfaceId = 0;
        frame.linkType = iface.linkType;
        frame.tsSec = 0;
        frame.tsNsec = 0;
        frame.capturedLength = capturedLength;
        frame.originalLength = originalLength;
        frame.offset = pos + 12;
        ctx.sink.frame(frame);
        return;
      }
      case BLOCK_PACKET_OBSOLETE: {
        const interfaceId = view.getUint16(pos + 8, le);
        const iface = this.interfaceAt(interfaceId, base + pos);
        const capturedLength = view.getUint32(pos + 20, le);
        this.checkPacketLength(capturedLength, length - 32, ctx.maxPacketLength, base + pos, 'Packet Block');
        frame.number = ++ctx.frames;
        frame.interfaceId = interfaceId;
        frame.linkType = iface.linkType;
        setTimestamp(frame, iface.unit, view.getUint32(pos + 12, le), view.getUint32(pos + 16, le), iface.offsetSec);
        frame.capturedLength = capturedLength;
        frame.originalLength = view.getUint32(pos + 24, le);
        frame.offset = pos + 28;
        ctx.sink.frame(frame);
        return;
      }
      case BLOCK_DECRYPTION_SECRETS: {
        const secretsType = view.getUint32(pos + 8, le);
        const secretsLength = view.getUint32(pos + 12, le);
        if (secretsLength > length - 20) {
          throw new CaptureFault(
            'bad-block-length',
            `Decryption Secrets Block at offset ${base + pos} declares ${secretsLength} bytes of secrets but holds only ${length - 20}`,
            base + pos,
          );
        }
        // Copied: the read buffer is reused, and the consumer may keep the secrets.
        ctx.sink.secrets?.({ secretsType, data: buf.slice(pos + 16, pos + 16 + secretsLength), afterFrame: ctx.frames });
        return;
      }
      default:
        // Name resolution, interface statistics, custom and unknown blocks carry nothing we use.
        return;
    }
  }

  private readInterface(view: DataView, pos: number, length: number, le: boolean): InterfaceInfo {
    const info: InterfaceInfo = {
      linkType: view.getUint16(pos + 8, le),
      snaplen: view.getUint32(pos + 12, le),
      unit: MICROSECONDS,
      offsetSec: 0,
    };
    const optionsEnd = pos + length - 4;
    let at = pos + 16;
    while (at + 4 <= optionsEnd) {
      const code = view.getUint16(at, le);
      const optionLength = view.getUint16(at + 2, le);
      if (code === OPTION_END) break;
      const value = at + 4;
      // An option running past the block is corrupt; ignore it and the rest, keep the interface.
      if (value + optionLength > optionsEnd) break;
      if (code === OPTION_IF_TSRESOL && optionLength >= 1) {
        info.unit = timestampUnit(view.getUint8(value));
      } else if (code === OPTION_IF_TSOFFSET && optionLength >= 8) {
        info.offsetSec = Number(view.getBigInt64(value, le));
      }
      at = value + ((optionLength + 3) & ~3);
    }
    return info;
  }
}
