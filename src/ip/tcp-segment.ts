/**
 * One TCP segment as the packet decoder hands it to the reassembler. Reused between calls: valid only during
 * the call. Addresses are read from `bytes` (4 bytes for IPv4, 16 for IPv6) so no string is built per packet.
 */
export interface TcpSegment {
  frame: number;
  /** Seconds since the Unix epoch. */
  time: number;
  bytes: Uint8Array;
  ipVersion: 4 | 6;
  srcAddrOffset: number;
  dstAddrOffset: number;
  srcPort: number;
  dstPort: number;
  /** Unsigned 32-bit sequence and acknowledgement numbers. */
  seq: number;
  ack: number;
  /** TCP flag bits: FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE 0x40, CWR 0x80. */
  flags: number;
  window: number;
  /** Captured payload: bytes[payloadOffset, payloadOffset + payloadLength). */
  payloadOffset: number;
  payloadLength: number;
  /** Payload bytes that were on the wire but not captured (snaplen); they become a gap after the captured ones. */
  missingPayload: number;
}
