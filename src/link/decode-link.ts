import type { Frame } from '../capture/types.js';
import {
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
} from './link-types.js';

export const NETWORK_OTHER = 0;
export const NETWORK_IPV4 = 4;
export const NETWORK_IPV6 = 6;
export type NetworkProtocol = typeof NETWORK_OTHER | typeof NETWORK_IPV4 | typeof NETWORK_IPV6;

/** Filled by decodeLink; reused between frames. */
export interface LinkLayer {
  /** IPv4, IPv6, or 0 for anything else (ARP, LLDP, truncated link header …). */
  network: NetworkProtocol;
  /** Offset in frame.bytes where the network-layer packet starts. */
  networkOffset: number;
  /** EtherType (or the equivalent) that named the network protocol; 0 when the link has none. */
  etherType: number;
}

export function createLinkLayer(): LinkLayer {
  return { network: NETWORK_OTHER, networkOffset: 0, etherType: 0 };
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;
const ETHERTYPE_QINQ_OLD = 0x9100;
const ETHERNET_HEADER_LENGTH = 14;
const VLAN_TAG_LENGTH = 4;
/** More stacked tags than this is not a real frame. */
const MAX_VLAN_TAGS = 8;
const SLL_HEADER_LENGTH = 16;
const SLL2_HEADER_LENGTH = 20;
const NULL_HEADER_LENGTH = 4;

/** BSD address families for IPv6 differ per OS: NetBSD/OpenBSD 24, FreeBSD 28, Darwin 30, Linux 10. */
function familyToNetwork(family: number): NetworkProtocol {
  if (family === 2) return NETWORK_IPV4;
  if (family === 24 || family === 28 || family === 30 || family === 10) return NETWORK_IPV6;
  return NETWORK_OTHER;
}

function etherTypeToNetwork(etherType: number): NetworkProtocol {
  if (etherType === ETHERTYPE_IPV4) return NETWORK_IPV4;
  if (etherType === ETHERTYPE_IPV6) return NETWORK_IPV6;
  return NETWORK_OTHER;
}

/**
 * Finds the network-layer packet in a frame. Returns false when the link type is not one we decode (the caller
 * counts and warns); true otherwise, with out.network = NETWORK_OTHER when the frame carries something else.
 */
export function decodeLink(frame: Frame, out: LinkLayer): boolean {
  const bytes = frame.bytes;
  const start = frame.offset;
  const end = start + frame.capturedLength;
  out.network = NETWORK_OTHER;
  out.etherType = 0;
  switch (frame.linkType) {
    case LINKTYPE_ETHERNET: {
      if (end - start < ETHERNET_HEADER_LENGTH) return true;
      let at = start + 12;
      let etherType = (bytes[at]! << 8) | bytes[at + 1]!;
      at += 2;
      for (let tags = 0; etherType === ETHERTYPE_VLAN || etherType === ETHERTYPE_QINQ || etherType === ETHERTYPE_QINQ_OLD; tags++) {
        if (tags === MAX_VLAN_TAGS || end - at < VLAN_TAG_LENGTH) return true;
        etherType = (bytes[at + 2]! << 8) | bytes[at + 3]!;
        at += VLAN_TAG_LENGTH;
      }
      out.etherType = etherType;
      out.network = etherTypeToNetwork(etherType);
      out.networkOffset = at;
      return true;
    }
    case LINKTYPE_LINUX_SLL: {
      if (end - start < SLL_HEADER_LENGTH) return true;
      const etherType = (bytes[start + 14]! << 8) | bytes[start + 15]!;
      out.etherType = etherType;
      out.network = etherTypeToNetwork(etherType);
      out.networkOffset = start + SLL_HEADER_LENGTH;
      return true;
    }
    case LINKTYPE_LINUX_SLL2: {
      if (end - start < SLL2_HEADER_LENGTH) return true;
      const etherType = (bytes[start]! << 8) | bytes[start + 1]!;
      out.etherType = etherType;
      out.network = etherTypeToNetwork(etherType);
      out.networkOffset = start + SLL2_HEADER_LENGTH;
      return true;
    }
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP: {
      if (end - start < NULL_HEADER_LENGTH) return true;
      // The family is in the capturing host's byte order (NULL) or network order (LOOP); families are small,
      // so whichever end holds the non-zero bytes tells the order.
      const big = ((bytes[start]! << 24) | (bytes[start + 1]! << 16) | (bytes[start + 2]! << 8) | bytes[start + 3]!) >>> 0;
      const family = (big & 0xffff0000) !== 0 ? ((big >>> 24) | ((big >>> 8) & 0xff00)) : big;
      out.network = familyToNetwork(family);
      out.networkOffset = start + NULL_HEADER_LENGTH;
      return true;
    }
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_BSD_12:
    case LINKTYPE_RAW_BSD_14:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6: {
      if (end - start < 1) return true;
      const version = bytes[start]! >>> 4;
      out.network = version === 4 ? NETWORK_IPV4 : version === 6 ? NETWORK_IPV6 : NETWORK_OTHER;
      out.networkOffset = start;
      return true;
    }
    default:
      return false;
  }
}
