import type { CaptureWarning, Frame } from '../capture/types.js';
import { createLinkLayer, decodeLink, NETWORK_IPV4, NETWORK_IPV6 } from '../link/decode-link.js';
import { linkTypeName } from '../link/link-types.js';
import type { TcpSegment } from './tcp-segment.js';

export interface PacketDecoderStats {
  frames: number;
  ipv4: number;
  ipv6: number;
  tcp: number;
  /** IP packets that are not TCP (UDP, ICMP, ESP …). */
  nonTcp: number;
  /** Frames of a known link type that carry neither IPv4 nor IPv6 (ARP, LLDP …). */
  nonIp: number;
  /** IP fragments, skipped (not reassembled). */
  fragments: number;
  /** Frames whose captured bytes end before the IP or TCP header does. */
  truncated: number;
  /** Headers that contradict themselves (bad version, header length, total length). */
  malformed: number;
  /** Frames of a link type we do not decode. */
  unknownLinkTypes: number;
}

const PROTOCOL_TCP = 6;
const IPV6_HOP_BY_HOP = 0;
const IPV6_ROUTING = 43;
const IPV6_FRAGMENT = 44;
const IPV6_ESP = 50;
const IPV6_AH = 51;
const IPV6_NO_NEXT = 59;
const IPV6_DESTINATION = 60;
const IPV6_MOBILITY = 135;
const IPV6_HIP = 139;
const IPV6_SHIM6 = 140;
const IPV6_HEADER_LENGTH = 40;
const IPV4_MIN_HEADER_LENGTH = 20;
const TCP_MIN_HEADER_LENGTH = 20;

/**
 * Link → IP → TCP decoding of each frame. Fills one reused TcpSegment per TCP packet and hands it to
 * `onSegment`; everything else is counted in `stats`. Never throws on packet content.
 */
export class PacketDecoder {
  readonly stats: PacketDecoderStats = {
    frames: 0,
    ipv4: 0,
    ipv6: 0,
    tcp: 0,
    nonTcp: 0,
    nonIp: 0,
    fragments: 0,
    truncated: 0,
    malformed: 0,
    unknownLinkTypes: 0,
  };
  private readonly link = createLinkLayer();
  private readonly segment: TcpSegment = {
    frame: 0,
    time: 0,
    bytes: new Uint8Array(0),
    ipVersion: 4,
    srcAddrOffset: 0,
    dstAddrOffset: 0,
    srcPort: 0,
    dstPort: 0,
    seq: 0,
    ack: 0,
    flags: 0,
    window: 0,
    payloadOffset: 0,
    payloadLength: 0,
    missingPayload: 0,
  };
  private readonly warnedLinkTypes = new Set<number>();
  private warnedFragments = false;

  constructor(
    private readonly onSegment: (segment: TcpSegment) => void,
    private readonly onWarning?: (warning: CaptureWarning) => void,
  ) {}

  /** Usable directly as a CaptureSink's frame callback: `{ frame: (f) => decoder.frame(f) }`. */
  frame(frame: Frame): void {
    const stats = this.stats;
    stats.frames++;
    const link = this.link;
    if (!decodeLink(frame, link)) {
      stats.unknownLinkTypes++;
      if (!this.warnedLinkTypes.has(frame.linkType)) {
        this.warnedLinkTypes.add(frame.linkType);
        this.onWarning?.({
          code: 'unknown-link-type',
          message: `link type ${linkTypeName(frame.linkType)} (${frame.linkType}) is not decoded; its frames are skipped`,
          frame: frame.number,
        });
      }
      return;
    }
    const frameEnd = frame.offset + frame.capturedLength;
    if (link.network === NETWORK_IPV4) this.ipv4(frame, link.networkOffset, frameEnd);
    else if (link.network === NETWORK_IPV6) this.ipv6(frame, link.networkOffset, frameEnd);
    else stats.nonIp++;
  }

  private ipv4(frame: Frame, at: number, frameEnd: number): void {
    const bytes = frame.bytes;
    const stats = this.stats;
    stats.ipv4++;
    if (frameEnd - at < IPV4_MIN_HEADER_LENGTH) {
      stats.truncated++;
      return;
    }
    const first = bytes[at]!;
    const headerLength = (first & 0x0f) * 4;
    let totalLength = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    // Segmentation offload on the capturing host leaves total length 0; the captured bytes are the packet then.
    if (totalLength === 0) totalLength = frameEnd - at;
    if (first >>> 4 !== 4 || headerLength < IPV4_MIN_HEADER_LENGTH || totalLength < headerLength) {
      stats.malformed++;
      return;
    }
    if (frameEnd - at < headerLength) {
      stats.truncated++;
      return;
    }
    const fragment = ((bytes[at + 6]! << 8) | bytes[at + 7]!) & 0x3fff;
    if (fragment !== 0) {
      this.fragment(frame);
      return;
    }
    if (bytes[at + 9] !== PROTOCOL_TCP) {
      stats.nonTcp++;
      return;
    }
    this.tcp(frame, 4, at + 12, at + 16, at + headerLength, at + totalLength, frameEnd);
  }

  private ipv6(frame: Frame, at: number, frameEnd: number): void {
    const bytes = frame.bytes;
    const stats = this.stats;
    stats.ipv6++;
    if (frameEnd - at < IPV6_HEADER_LENGTH) {
      stats.truncated++;
      return;
    }
    if (bytes[at]! >>> 4 !== 6) {
      stats.malformed++;
      return;
    }
    const payloadLength = (bytes[at + 4]! << 8) | bytes[at + 5]!;
    // 0 means a jumbogram (or offload): take the captured bytes as the packet.
    const packetEnd = payloadLength === 0 ? frameEnd : at + IPV6_HEADER_LENGTH + payloadLength;
    let next = bytes[at + 6]!;
    let header = at + IPV6_HEADER_LENGTH;
    for (;;) {
      if (next === PROTOCOL_TCP) break;
      if (next === IPV6_HOP_BY_HOP || next === IPV6_ROUTING || next === IPV6_DESTINATION || next === IPV6_MOBILITY || next === IPV6_HIP || next === IPV6_SHIM6) {
        if (frameEnd - header < 2) return this.truncated();
        const length = (bytes[header + 1]! + 1) * 8;
        next = bytes[header]!;
        header += length;
      } else if (next === IPV6_FRAGMENT) {
        if (frameEnd - header < 8) return this.truncated();
        const offsetAndMore = (bytes[header + 2]! << 8) | bytes[header + 3]!;
        // An "atomic" fragment (offset 0, no more fragments) is a whole packet.
        if (offsetAndMore & 0xfff9) {
          this.fragment(frame);
          return;
        }
        next = bytes[header]!;
        header += 8;
      } else if (next === IPV6_AH) {
        if (frameEnd - header < 2) return this.truncated();
        const length = (bytes[header + 1]! + 2) * 4;
        next = bytes[header]!;
        header += length;
      } else {
        // ESP, no next header, UDP, ICMPv6 …: nothing for us.
        void IPV6_ESP;
        void IPV6_NO_NEXT;
        stats.nonTcp++;
        return;
      }
      if (header > packetEnd) {
        stats.malformed++;
        return;
      }
    }
    this.tcp(frame, 6, at + 8, at + 24, header, packetEnd, frameEnd);
  }

  private truncated(): void {
    this.stats.truncated++;
  }

  private fragment(frame: Frame): void {
    this.stats.fragments++;
    if (!this.warnedFragments) {
      this.warnedFragments = true;
      this.onWarning?.({
        code: 'ip-fragments',
        message: 'the capture holds IP fragments; they are not reassembled and their TCP data is skipped',
        frame: frame.number,
      });
    }
  }

  /** `at`: TCP header; `packetEnd`: end of the IP packet on the wire; `frameEnd`: end of the captured bytes. */
  private tcp(frame: Frame, ipVersion: 4 | 6, src: number, dst: number, at: number, packetEnd: number, frameEnd: number): void {
    const bytes = frame.bytes;
    const stats = this.stats;
    if (packetEnd - at < TCP_MIN_HEADER_LENGTH) {
      stats.malformed++;
      return;
    }
    if (frameEnd - at < TCP_MIN_HEADER_LENGTH) {
      stats.truncated++;
      return;
    }
    const headerLength = (bytes[at + 12]! >>> 4) * 4;
    if (headerLength < TCP_MIN_HEADER_LENGTH || headerLength > packetEnd - at) {
      stats.malformed++;
      return;
    }
    if (headerLength > frameEnd - at) {
      stats.truncated++;
      return;
    }
    stats.tcp++;
    const payloadStart = at + headerLength;
    // Ethernet pads short frames: bytes past the IP packet's end are not payload.
    const capturedEnd = packetEnd < frameEnd ? packetEnd : frameEnd;
    const segment = this.segment;
    segment.frame = frame.number;
    segment.time = frame.tsSec + frame.tsNsec / 1e9;
    segment.bytes = bytes;
    segment.ipVersion = ipVersion;
    segment.srcAddrOffset = src;
    segment.dstAddrOffset = dst;
    segment.srcPort = (bytes[at]! << 8) | bytes[at + 1]!;
    segment.dstPort = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    segment.seq = ((bytes[at + 4]! << 24) | (bytes[at + 5]! << 16) | (bytes[at + 6]! << 8) | bytes[at + 7]!) >>> 0;
    segment.ack = ((bytes[at + 8]! << 24) | (bytes[at + 9]! << 16) | (bytes[at + 10]! << 8) | bytes[at + 11]!) >>> 0;
    segment.flags = bytes[at + 13]!;
    segment.window = (bytes[at + 14]! << 8) | bytes[at + 15]!;
    segment.payloadOffset = payloadStart;
    segment.payloadLength = capturedEnd - payloadStart;
    segment.missingPayload = packetEnd - capturedEnd;
    this.onSegment(segment);
  }
}
