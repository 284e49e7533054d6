export { PacketDecoder, type PacketDecoderStats } from './packet-decoder.js';
export { formatAddress, formatIpv4, formatIpv6 } from './address.js';
export type { TcpSegment } from './tcp-segment.js';
