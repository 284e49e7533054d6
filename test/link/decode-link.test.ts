import { describe, expect, it } from 'vitest';
import {
  createLinkLayer,
  decodeLink,
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
  LINKTYPE_RAW_BSD_12,
  LINKTYPE_RAW_BSD_14,
  linkTypeName,
  NETWORK_IPV4,
  NETWORK_IPV6,
  NETWORK_OTHER,
} from '../../src/link/index.js';
import type { FrameRecord } from '../capture/helpers.js';
import { concat } from '../capture/fixtures.js';
import { decode, frameOf, framesOf } from '../ip/decode.js';
import { repoPath } from '../repo.js';

/**
 * decodeLink on the link types of real captures (tcpdump -i lo: Ethernet; -i any: Linux cooked SLL and SLL2),
 * and on the same real IP packets under the other link headers it reads (BSD loopback in both byte orders,
 * raw IP, VLAN tags): each must hand PacketDecoder the same TCP segments.
 */
const formats = (name: string): string => repoPath('captures', 'formats', name);
const ETHERNET_HEADER = 14;

function linkOf(record: FrameRecord, bytes = record.bytes, linkType = record.linkType) {
  const out = createLinkLayer();
  const known = decodeLink(frameOf(record, bytes, linkType), out);
  return { known, ...out };
}

/** The IP packets of a real Ethernet capture, without their Ethernet header. */
async function ipPacketsOf(name: string): Promise<{ record: FrameRecord; packet: Uint8Array }[]> {
  const frames = await framesOf(formats(name));
  expect(new Set(frames.map((f) => f.linkType))).toEqual(new Set([LINKTYPE_ETHERNET]));
  return frames.map((record) => ({ record, packet: record.bytes.subarray(ETHERNET_HEADER) }));
}

/** The IP packets of an Ethernet capture, each behind `header` as `linkType`, decode to the same segments. */
async function expectSameSegmentsUnder(name: string, linkType: number, header: Uint8Array): Promise<void> {
  const packets = await ipPacketsOf(name);
  const original = decode(packets.map(({ record }) => frameOf(record, record.bytes)));
  const moved = decode(packets.map(({ record, packet }) => frameOf(record, concat(header, packet), linkType)));
  expect(moved.segments.length).toBe(packets.length);
  expect(moved.segments).toEqual(original.segments);
  expect(moved.stats).toEqual(original.stats);
}

const be32 = (n: number) => Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
const le32 = (n: number) => Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);

describe('the link types of real captures', () => {
  it.each([
    ['pcap-us.pcap', LINKTYPE_ETHERNET, 14],
    ['any-sll.pcap', LINKTYPE_LINUX_SLL, 16],
    ['any-sll2.pcap', LINKTYPE_LINUX_SLL2, 20],
  ])('%s: every frame carries IPv4 after the %i link header of %i bytes', async (name, linkType, headerLength) => {
    const frames = await framesOf(formats(name));
    expect(frames.length).toBeGreaterThan(20);
    for (const record of frames) {
      expect(record.linkType).toBe(linkType);
      const link = linkOf(record);
      expect(link).toEqual({ known: true, network: NETWORK_IPV4, networkOffset: headerLength, etherType: 0x0800 });
      // An IPv4 header without options starts there, to 127.0.0.1 (the capture is of loopback traffic).
      expect(record.bytes[headerLength]).toBe(0x45);
      expect([...record.bytes.subarray(headerLength + 16, headerLength + 20)]).toEqual([127, 0, 0, 1]);
    }
    // Every frame is a TCP segment of the recorded HTTPS requests.
    const { segments, stats } = decode(frames.map((r) => frameOf(r, r.bytes)));
    expect(segments).toHaveLength(frames.length);
    expect(stats).toMatchObject({ ipv4: frames.length, tcp: frames.length, nonIp: 0, unknownLinkTypes: 0 });
  });

  it('ipv6.pcap: Ethernet with EtherType 0x86dd', async () => {
    const frames = await framesOf(formats('ipv6.pcap'));
    for (const record of frames) expect(linkOf(record)).toEqual({ known: true, network: NETWORK_IPV6, networkOffset: 14, etherType: 0x86dd });
  });
});

describe('the same real packets under every link header decodeLink reads', () => {
  it.each([
    ['NULL, little-endian host (AF_INET 2)', LINKTYPE_NULL, le32(2)],
    ['NULL, big-endian host', LINKTYPE_NULL, be32(2)],
    ['LOOP (network order)', LINKTYPE_LOOP, be32(2)],
    ['RAW', LINKTYPE_RAW, new Uint8Array(0)],
    ['RAW as BSD numbers it (12)', LINKTYPE_RAW_BSD_12, new Uint8Array(0)],
    ['RAW (14)', LINKTYPE_RAW_BSD_14, new Uint8Array(0)],
    ['IPV4', LINKTYPE_IPV4, new Uint8Array(0)],
    ['LINUX_SLL', LINKTYPE_LINUX_SLL, concat(new Uint8Array(14), Uint8Array.of(0x08, 0x00))],
    ['LINUX_SLL2', LINKTYPE_LINUX_SLL2, concat(Uint8Array.of(0x08, 0x00), new Uint8Array(18))],
    ['Ethernet + 802.1Q tag', LINKTYPE_ETHERNET, concat(new Uint8Array(12), Uint8Array.of(0x81, 0x00, 0, 42, 0x08, 0x00))],
    ['Ethernet + QinQ (0x88a8, then 0x8100)', LINKTYPE_ETHERNET, concat(new Uint8Array(12), Uint8Array.of(0x88, 0xa8, 0, 7, 0x81, 0x00, 0, 42, 0x08, 0x00))],
    ['Ethernet + old QinQ (0x9100)', LINKTYPE_ETHERNET, concat(new Uint8Array(12), Uint8Array.of(0x91, 0x00, 0, 7, 0x08, 0x00))],
  ])('IPv4 under %s', async (_label, linkType, header) => {
    await expectSameSegmentsUnder('pcap-us.pcap', linkType, header);
  });

  it.each([
    ['NULL with NetBSD/OpenBSD AF_INET6 (24)', LINKTYPE_NULL, le32(24)],
    ['NULL with FreeBSD AF_INET6 (28)', LINKTYPE_NULL, le32(28)],
    ['NULL with Darwin AF_INET6 (30)', LINKTYPE_NULL, le32(30)],
    ['LOOP with Linux AF_INET6 (10)', LINKTYPE_LOOP, be32(10)],
    ['RAW', LINKTYPE_RAW, new Uint8Array(0)],
    ['IPV6', LINKTYPE_IPV6, new Uint8Array(0)],
  ])('IPv6 under %s', async (_label, linkType, header) => {
    await expectSameSegmentsUnder('ipv6.pcap', linkType, header);
  });
});

describe('what is not IP, and what is not a link type we read', () => {
  it('ARP, an unknown loopback family, more than eight VLAN tags and cut headers: known link, no network', async () => {
    const [record] = await framesOf(formats('pcap-us.pcap'));
    const arp = concat(record!.bytes.subarray(0, 12), Uint8Array.of(0x08, 0x06), new Uint8Array(28));
    expect(linkOf(record!, arp)).toEqual({ known: true, network: NETWORK_OTHER, networkOffset: 14, etherType: 0x0806 });
    expect(linkOf(record!, concat(le32(7), record!.bytes.subarray(14)), LINKTYPE_NULL)).toMatchObject({ known: true, network: NETWORK_OTHER });
    const tag = Uint8Array.of(0x81, 0x00, 0, 1);
    const nineTags = concat(new Uint8Array(12), ...Array.from({ length: 9 }, () => tag), Uint8Array.of(0x08, 0x00), record!.bytes.subarray(14));
    expect(linkOf(record!, nineTags)).toMatchObject({ known: true, network: NETWORK_OTHER });
    for (const [linkType, length] of [[LINKTYPE_ETHERNET, 13], [LINKTYPE_LINUX_SLL, 15], [LINKTYPE_LINUX_SLL2, 19], [LINKTYPE_NULL, 3], [LINKTYPE_RAW, 0]] as const) {
      expect(linkOf(record!, record!.bytes.subarray(0, length), linkType)).toMatchObject({ known: true, network: NETWORK_OTHER });
    }
    const { stats, segments } = decode([frameOf(record!, arp)]);
    expect(segments).toEqual([]);
    expect(stats).toMatchObject({ frames: 1, nonIp: 1, ipv4: 0 });
  });

  it('a link type it does not decode: skipped, with one warning naming it however many frames', async () => {
    const frames = await framesOf(formats('pcap-us.pcap'));
    expect(linkOf(frames[0]!, frames[0]!.bytes, 105).known).toBe(false);
    const { stats, warnings, segments } = decode(frames.map((r) => frameOf(r, r.bytes, 105)));
    expect(segments).toEqual([]);
    expect(stats.unknownLinkTypes).toBe(frames.length);
    expect(warnings).toEqual([{ code: 'unknown-link-type', message: 'link type IEEE802_11 (105) is not decoded; its frames are skipped', frame: 1 }]);
  });

  it('names link types by the tcpdump.org registry', () => {
    expect(linkTypeName(LINKTYPE_LINUX_SLL2)).toBe('LINUX_SLL2');
    expect(linkTypeName(LINKTYPE_NULL)).toBe('NULL (BSD loopback)');
    expect(linkTypeName(4242)).toBe('LINKTYPE 4242');
  });
});
