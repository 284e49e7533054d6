/**
 * Hand-built captures for hostile input only (lying lengths, absurd counts): real programs cannot be made
 * to write these. Packets are raw IPv4 (LINKTYPE_RAW) in a classic microsecond pcap.
 */

const LINKTYPE_RAW = 101;

/** A classic little-endian microsecond pcap holding `packets` (each a whole IPv4 packet). */
export function pcapOf(packets: Iterable<Uint8Array>, linkType = LINKTYPE_RAW, secondsOf: (n: number) => number = (n) => Math.floor(n / 1000)): Uint8Array {
  const parts: Uint8Array[] = [];
  const header = new DataView(new ArrayBuffer(24));
  header.setUint32(0, 0xa1b2c3d4, true);
  header.setUint16(4, 2, true);
  header.setUint16(6, 4, true);
  header.setUint32(16, 262144, true);
  header.setUint32(20, linkType, true);
  parts.push(new Uint8Array(header.buffer));
  let n = 0;
  for (const packet of packets) {
    const record = new DataView(new ArrayBuffer(16));
    record.setUint32(0, 1_700_000_000 + secondsOf(n), true);
    record.setUint32(4, (n % 1000) * 1000, true);
    record.setUint32(8, packet.length, true);
    record.setUint32(12, packet.length, true);
    parts.push(new Uint8Array(record.buffer), packet);
    n++;
  }
  return concat(parts);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, p) => sum + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface SegmentSpec {
  src: number;
  dst: number;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack?: number;
  flags: number;
  payload?: Uint8Array;
}

export const SYN = 0x02;
export const ACK = 0x10;
export const PSH_ACK = 0x18;

/** An IPv4 + TCP packet (no options, checksums left zero: the decoder does not verify them). */
export function tcpPacket(s: SegmentSpec): Uint8Array {
  const payload = s.payload ?? new Uint8Array(0);
  const bytes = new Uint8Array(40 + payload.length);
  const v = new DataView(bytes.buffer);
  v.setUint8(0, 0x45);
  v.setUint16(2, bytes.length);
  v.setUint8(8, 64);
  v.setUint8(9, 6);
  v.setUint32(12, s.src);
  v.setUint32(16, s.dst);
  v.setUint16(20, s.srcPort);
  v.setUint16(22, s.dstPort);
  v.setUint32(24, s.seq >>> 0);
  v.setUint32(28, (s.ack ?? 0) >>> 0);
  v.setUint8(32, 5 << 4);
  v.setUint8(33, s.flags);
  v.setUint16(34, 65535);
  bytes.set(payload, 40);
  return bytes;
}

const CLIENT = 0x0a000001;
const SERVER = 0x0a000002;

/**
 * One TCP connection on port 443 (handshake, then each side's bytes in 1400-byte segments, client first):
 * the way to put a crafted TLS byte stream in front of the whole pipeline.
 */
export function connectionCapture(clientBytes: Uint8Array, serverBytes: Uint8Array = new Uint8Array(0)): Uint8Array {
  const packets: Uint8Array[] = [];
  const c = { src: CLIENT, dst: SERVER, srcPort: 50000, dstPort: 443 };
  const s = { src: SERVER, dst: CLIENT, srcPort: 443, dstPort: 50000 };
  let cseq = 1000;
  let sseq = 9000;
  packets.push(tcpPacket({ ...c, seq: cseq++, flags: SYN }));
  packets.push(tcpPacket({ ...s, seq: sseq++, ack: cseq, flags: SYN | ACK }));
  packets.push(tcpPacket({ ...c, seq: cseq, ack: sseq, flags: ACK }));
  for (let at = 0; at < clientBytes.length; at += 1400) {
    const payload = clientBytes.subarray(at, at + 1400);
    packets.push(tcpPacket({ ...c, seq: cseq, ack: sseq, flags: PSH_ACK, payload }));
    cseq += payload.length;
  }
  for (let at = 0; at < serverBytes.length; at += 1400) {
    const payload = serverBytes.subarray(at, at + 1400);
    packets.push(tcpPacket({ ...s, seq: sseq, ack: cseq, flags: PSH_ACK, payload }));
    sseq += payload.length;
  }
  return pcapOf(packets);
}

/** TLS records (content type 22, version 3.3) carrying `handshake`, split at the 2^14 record limit. */
export function handshakeRecords(handshake: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < handshake.length; at += 16384) {
    const fragment = handshake.subarray(at, at + 16384);
    parts.push(Uint8Array.of(22, 3, 3, fragment.length >> 8, fragment.length & 0xff), fragment);
  }
  return concat(parts);
}

/** A handshake message: type, 24-bit length, body. */
export function handshakeMessage(msgType: number, body: Uint8Array): Uint8Array {
  return concat([Uint8Array.of(msgType, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff), body]);
}

export function u16(n: number): Uint8Array {
  return Uint8Array.of(n >> 8, n & 0xff);
}

export function u24(n: number): Uint8Array {
  return Uint8Array.of(n >> 16, (n >> 8) & 0xff, n & 0xff);
}

/** A TLS 1.2 ClientHello body with the given raw extensions block contents. */
export function clientHelloBody(extensionsBlock: Uint8Array): Uint8Array {
  const random = new Uint8Array(32).fill(7);
  return concat([u16(0x0303), random, Uint8Array.of(0), u16(2), u16(0xc02f), Uint8Array.of(1, 0), u16(extensionsBlock.length), extensionsBlock]);
}

/** A little-endian pcapng block: type, total length, body padded to 4 bytes, total length again. */
export function pcapngBlock(type: number, body: Uint8Array): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const bytes = new Uint8Array(12 + padded);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, type, true);
  v.setUint32(4, bytes.length, true);
  bytes.set(body, 8);
  v.setUint32(8 + padded, bytes.length, true);
  return bytes;
}

/** Section Header Block, version 1.0, section length unknown. */
export function sectionHeader(): Uint8Array {
  const body = new DataView(new ArrayBuffer(16));
  body.setUint32(0, 0x1a2b3c4d, true);
  body.setUint16(4, 1, true);
  body.setBigInt64(8, -1n, true);
  return pcapngBlock(0x0a0d0d0a, new Uint8Array(body.buffer));
}

/** Interface Description Block without options (20 bytes). */
export function interfaceDescription(linkType = LINKTYPE_RAW): Uint8Array {
  const body = new DataView(new ArrayBuffer(8));
  body.setUint16(0, linkType, true);
  body.setUint32(4, 262144, true);
  return pcapngBlock(1, new Uint8Array(body.buffer));
}

/** Enhanced Packet Block on `interfaceId`, timestamp 0. */
export function enhancedPacket(interfaceId: number, packet: Uint8Array): Uint8Array {
  const header = new DataView(new ArrayBuffer(20));
  header.setUint32(0, interfaceId, true);
  header.setUint32(12, packet.length, true);
  header.setUint32(16, packet.length, true);
  return pcapngBlock(6, concat([new Uint8Array(header.buffer), packet]));
}

/** Decryption Secrets Block of `secretsType` ('TLSK' = 0x544c534b is an NSS key log). */
export function decryptionSecrets(secretsType: number, data: Uint8Array): Uint8Array {
  const header = new DataView(new ArrayBuffer(8));
  header.setUint32(0, secretsType, true);
  header.setUint32(4, data.length, true);
  return pcapngBlock(10, concat([new Uint8Array(header.buffer), data]));
}

/** `block` repeated `count` times after `prefix` (one allocation: floods of millions of tiny blocks). */
export function repeated(prefix: Uint8Array, block: Uint8Array, count: number, suffix: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(prefix.length + block.length * count + suffix.length);
  out.set(prefix, 0);
  for (let i = 0; i < count; i++) out.set(block, prefix.length + i * block.length);
  out.set(suffix, prefix.length + block.length * count);
  return out;
}
