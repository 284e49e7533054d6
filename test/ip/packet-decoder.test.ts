import { describe, expect, it } from 'vitest';
import { formatAddress, formatIpv4, formatIpv6 } from '../../src/ip/index.js';
import type { FrameRecord } from '../capture/helpers.js';
import { concat } from '../capture/fixtures.js';
import { repoPath } from '../repo.js';
import { decode, frameOf, framesOf } from './decode.js';

/**
 * PacketDecoder (IPv4 / IPv6 → TCP) on real frames of captures/formats, and on those frames with what real
 * networks add: IPv6 extension headers, fragments, Ethernet padding, offload's zero lengths, cut headers.
 */
const formats = (name: string): string => repoPath('captures', 'formats', name);
const ETH = 14;
const IPV6_HEADER = 40;
const TCP = 6;

/** The frames of a capture and what PacketDecoder makes of them untouched. */
async function real(name: string) {
  const frames = await framesOf(formats(name));
  return { frames, original: decode(frames.map((r) => frameOf(r, r.bytes))) };
}

/** The frame with `extension` (whose first byte is its next header, TCP) between the IPv6 header and TCP. */
function withIpv6Extension(record: FrameRecord, type: number, extension: Uint8Array): Uint8Array {
  const ip = record.bytes.subarray(ETH, ETH + IPV6_HEADER).slice();
  expect(ip[6]).toBe(TCP);
  ip[6] = type;
  const payloadLength = ((ip[4]! << 8) | ip[5]!) + extension.length;
  ip[4] = payloadLength >>> 8;
  ip[5] = payloadLength & 0xff;
  return concat(record.bytes.subarray(0, ETH), ip, extension, record.bytes.subarray(ETH + IPV6_HEADER));
}

/** An extension header of `units` 8-octet units after the first (hop-by-hop, routing, destination, …). */
const optionsHeader = (units: number) => {
  const h = new Uint8Array(8 * (units + 1));
  h[0] = TCP;
  h[1] = units;
  // PadN over the rest: a valid option area.
  h[2] = 1;
  h[3] = h.length - 4;
  return h;
};
/** A fragment header: next header, reserved, offset (8-octet units) and the M flag, identification. */
const fragmentHeader = (offset: number, more: boolean) => Uint8Array.of(TCP, 0, offset >>> 5, ((offset << 3) & 0xf8) | (more ? 1 : 0), 0, 0, 0x12, 0x34);
/** An Authentication Header of `(length + 2) * 4` bytes. */
const authenticationHeader = (length: number) => {
  const h = new Uint8Array((length + 2) * 4);
  h[0] = TCP;
  h[1] = length;
  return h;
};

describe('IPv6 extension headers before TCP (real frames of captures/formats/ipv6.pcap)', () => {
  it.each([
    ['hop-by-hop options (0)', 0, optionsHeader(0)],
    ['a longer hop-by-hop options header (0, 3 units)', 0, optionsHeader(3)],
    ['routing (43)', 43, optionsHeader(1)],
    ['destination options (60)', 60, optionsHeader(0)],
    ['mobility (135)', 135, optionsHeader(1)],
    ['HIP (139)', 139, optionsHeader(0)],
    ['shim6 (140)', 140, optionsHeader(0)],
    ['an atomic fragment (44, offset 0, no more)', 44, fragmentHeader(0, false)],
    ['an authentication header (51)', 51, authenticationHeader(4)],
  ])('%s: the same TCP segments', async (_label, type, extension) => {
    const { frames, original } = await real('ipv6.pcap');
    const decoded = decode(frames.map((r) => frameOf(r, withIpv6Extension(r, type, extension))));
    expect(decoded.segments.map(({ payload: _p, ...s }) => s)).toEqual(original.segments.map(({ payload: _p, ...s }) => s));
    expect(decoded.segments.map((s) => s.payload)).toEqual(original.segments.map((s) => s.payload));
    expect(decoded.stats).toEqual(original.stats);
  });

  it('chained: hop-by-hop, then destination options, then TCP', async () => {
    const { frames, original } = await real('ipv6.pcap');
    const hop = optionsHeader(0);
    hop[0] = 60;
    const decoded = decode(frames.map((r) => frameOf(r, withIpv6Extension(r, 0, concat(hop, optionsHeader(1))))));
    expect(decoded.segments.map((s) => [s.frame, s.seq, s.payloadLength])).toEqual(original.segments.map((s) => [s.frame, s.seq, s.payloadLength]));
  });

  it('fragments are counted and skipped with one warning; ESP and "no next header" are not TCP', async () => {
    const { frames } = await real('ipv6.pcap');
    const first = decode(frames.map((r) => frameOf(r, withIpv6Extension(r, 44, fragmentHeader(0, true)))));
    expect(first.segments).toEqual([]);
    expect(first.stats.fragments).toBe(frames.length);
    expect(first.warnings).toEqual([{ code: 'ip-fragments', message: 'the capture holds IP fragments; they are not reassembled and their TCP data is skipped', frame: 1 }]);
    const later = decode(frames.map((r) => frameOf(r, withIpv6Extension(r, 44, fragmentHeader(185, false)))));
    expect(later.stats.fragments).toBe(frames.length);
    for (const type of [50, 59, 17]) {
      const other = decode(frames.map((r) => frameOf(r, withIpv6Extension(r, type, new Uint8Array(8)))));
      expect(other.segments).toEqual([]);
      expect(other.stats.nonTcp).toBe(frames.length);
    }
  });

  it('an extension header running past the packet is malformed; one cut by the capture is truncated', async () => {
    const { frames } = await real('ipv6.pcap');
    const record = frames[0]!;
    const long = optionsHeader(0);
    long[1] = 200;
    expect(decode([frameOf(record, withIpv6Extension(record, 0, long))]).stats.malformed).toBe(1);
    const cut = withIpv6Extension(record, 0, optionsHeader(0)).subarray(0, ETH + IPV6_HEADER + 1);
    expect(decode([frameOf(record, cut)]).stats.truncated).toBe(1);
  });
});

describe('IPv4 (real frames of captures/formats/pcap-us.pcap)', () => {
  /** The frame with bytes of its IPv4 header changed (offsets within the IP header). */
  const patched = (record: FrameRecord, changes: Record<number, number>): Uint8Array => {
    const bytes = record.bytes.slice();
    for (const [at, value] of Object.entries(changes)) bytes[ETH + Number(at)] = value;
    return bytes;
  };

  it('a fragment (more fragments, or an offset) is skipped and counted; "don\'t fragment" alone is a whole packet', async () => {
    const { frames, original } = await real('pcap-us.pcap');
    const more = decode(frames.map((r) => frameOf(r, patched(r, { 6: 0x20, 7: 0 }))));
    expect(more.segments).toEqual([]);
    expect(more.stats.fragments).toBe(frames.length);
    expect(more.warnings.map((w) => w.code)).toEqual(['ip-fragments']);
    expect(decode(frames.map((r) => frameOf(r, patched(r, { 6: 0x00, 7: 0x10 })))).stats.fragments).toBe(frames.length);
    const dontFragment = decode(frames.map((r) => frameOf(r, patched(r, { 6: 0x40, 7: 0 }))));
    expect(dontFragment.segments).toEqual(original.segments);
  });

  it('UDP is counted, not decoded; a bad version or header length is malformed', async () => {
    const { frames } = await real('pcap-us.pcap');
    expect(decode(frames.map((r) => frameOf(r, patched(r, { 9: 17 })))).stats).toMatchObject({ nonTcp: frames.length, tcp: 0 });
    expect(decode(frames.map((r) => frameOf(r, patched(r, { 0: 0x55 })))).stats.malformed).toBe(frames.length);
    expect(decode(frames.map((r) => frameOf(r, patched(r, { 0: 0x44 })))).stats.malformed).toBe(frames.length);
  });

  it('a total length of 0 (segmentation offload) takes the captured bytes as the packet', async () => {
    const { frames, original } = await real('pcap-us.pcap');
    const offloaded = decode(frames.map((r) => frameOf(r, patched(r, { 2: 0, 3: 0 }))));
    expect(offloaded.segments).toEqual(original.segments);
  });

  it('Ethernet padding after the IP packet is not payload', async () => {
    const { frames, original } = await real('pcap-us.pcap');
    const padded = decode(frames.map((r) => frameOf(r, concat(r.bytes, new Uint8Array(18)))));
    expect(padded.segments).toEqual(original.segments);
  });

  it('headers cut by the capture are truncated: inside the IP header, inside the TCP header', async () => {
    const { frames } = await real('pcap-us.pcap');
    const record = frames[0]!;
    expect(decode([frameOf(record, record.bytes.subarray(0, ETH + 19))]).stats.truncated).toBe(1);
    expect(decode([frameOf(record, record.bytes.subarray(0, ETH + 20 + 19))]).stats.truncated).toBe(1);
  });

  it('snaplen 96: a segment keeps its length on the wire, what the capture lost counted apart', async () => {
    const { frames, original } = await real('snaplen-96.pcap');
    const cut = original.segments.filter((s) => s.missingPayload > 0);
    expect(cut.length).toBeGreaterThan(0);
    for (const s of original.segments) {
      const bytes = frames[s.frame - 1]!.bytes;
      // The lengths the headers state, read from the frame's own bytes.
      const ipHeader = (bytes[ETH]! & 0x0f) * 4;
      const tcpHeader = (bytes[ETH + ipHeader + 12]! >>> 4) * 4;
      const onTheWire = ((bytes[ETH + 2]! << 8) | bytes[ETH + 3]!) - ipHeader - tcpHeader;
      expect(s.payloadLength + s.missingPayload).toBe(onTheWire);
      expect(s.payload.length).toBe(s.payloadLength);
      if (s.missingPayload > 0) expect(bytes.length).toBe(96);
    }
  });
});

describe('addresses of real packets', () => {
  it('IPv4 and IPv6 loopback as written in the frames', async () => {
    const { original: v4 } = await real('pcap-us.pcap');
    const { original: v6 } = await real('ipv6.pcap');
    expect(formatAddress(v4.segments[0]!.srcAddr, 0, 4)).toBe('127.0.0.1');
    expect(formatAddress(v6.segments[0]!.srcAddr, 0, 6)).toBe('::1');
    expect(formatIpv4(Uint8Array.of(0, 192, 168, 1, 20), 1)).toBe('192.168.1.20');
  });

  it('IPv6 in RFC 5952 form: the longest run of zeros shortened once, the first of equal runs, lower case', () => {
    const v6 = (text: string) => Uint8Array.from(text.match(/../g)!.map((h) => parseInt(h, 16)));
    expect(formatIpv6(v6('20010db8000000000001000000000001'), 0)).toBe('2001:db8::1:0:0:1');
    expect(formatIpv6(v6('20010db800000000000000000000abcd'), 0)).toBe('2001:db8::abcd');
    expect(formatIpv6(v6('20010db8000100000001000100010001'), 0)).toBe('2001:db8:1:0:1:1:1:1');
    expect(formatIpv6(v6('00000000000000000000000000000000'), 0)).toBe('::');
  });
});
