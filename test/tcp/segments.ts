import type { TcpSegment } from '../../src/ip/tcp-segment.js';

/** Flags as the TCP header holds them. */
export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;

export const CLIENT = { ip: [10, 0, 0, 1], port: 50000 };
export const SERVER = { ip: [10, 0, 0, 2], port: 443 };

export interface SegmentSpec {
  from: 'client' | 'server';
  seq: number;
  ack?: number;
  flags?: number;
  payload?: string | Uint8Array;
  /** Bytes on the wire past the captured payload (snaplen). */
  missing?: number;
  frame: number;
  time?: number;
  clientPort?: number;
}

/** A hand-built IPv4 TcpSegment: 4-byte source and destination addresses, then the payload. */
export function segment(spec: SegmentSpec): TcpSegment {
  const payload = typeof spec.payload === 'string' ? new TextEncoder().encode(spec.payload) : (spec.payload ?? new Uint8Array(0));
  const src = spec.from === 'client' ? CLIENT : SERVER;
  const dst = spec.from === 'client' ? SERVER : CLIENT;
  const clientPort = spec.clientPort ?? CLIENT.port;
  const bytes = new Uint8Array(8 + payload.length);
  bytes.set(src.ip, 0);
  bytes.set(dst.ip, 4);
  bytes.set(payload, 8);
  return {
    frame: spec.frame,
    time: spec.time ?? spec.frame / 1000,
    bytes,
    ipVersion: 4,
    srcAddrOffset: 0,
    dstAddrOffset: 4,
    srcPort: spec.from === 'client' ? clientPort : SERVER.port,
    dstPort: spec.from === 'client' ? SERVER.port : clientPort,
    seq: spec.seq >>> 0,
    ack: (spec.ack ?? 0) >>> 0,
    flags: spec.flags ?? (spec.ack !== undefined ? ACK : 0),
    window: 65535,
    payloadOffset: 8,
    payloadLength: payload.length,
    missingPayload: spec.missing ?? 0,
  };
}

/** The three-way handshake with the given initial sequence numbers; data then starts at isn + 1. */
export function handshake(clientIsn: number, serverIsn: number, clientPort = CLIENT.port): TcpSegment[] {
  return [
    segment({ from: 'client', seq: clientIsn, flags: SYN, frame: 1, clientPort }),
    segment({ from: 'server', seq: serverIsn, ack: clientIsn + 1, flags: SYN | ACK, frame: 2, clientPort }),
    segment({ from: 'client', seq: clientIsn + 1, ack: serverIsn + 1, frame: 3, clientPort }),
  ];
}
