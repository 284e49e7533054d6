/** LINKTYPE_* values (https://www.tcpdump.org/linktypes.html) that carry IP and that we decode. */
export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
/** DLT_RAW as some BSDs number it (12) and as others did (14). */
export const LINKTYPE_RAW_BSD_12 = 12;
export const LINKTYPE_RAW_BSD_14 = 14;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

const NAMES: Record<number, string> = {
  [LINKTYPE_NULL]: 'NULL (BSD loopback)',
  [LINKTYPE_ETHERNET]: 'ETHERNET',
  [LINKTYPE_RAW_BSD_12]: 'RAW (12)',
  [LINKTYPE_RAW_BSD_14]: 'RAW (14)',
  [LINKTYPE_RAW]: 'RAW',
  [LINKTYPE_LOOP]: 'LOOP (OpenBSD loopback)',
  [LINKTYPE_LINUX_SLL]: 'LINUX_SLL',
  [LINKTYPE_IPV4]: 'IPV4',
  [LINKTYPE_IPV6]: 'IPV6',
  [LINKTYPE_LINUX_SLL2]: 'LINUX_SLL2',
  105: 'IEEE802_11',
  127: 'IEEE802_11_RADIOTAP',
  147: 'USER0',
  195: 'IEEE802_15_4',
  220: 'USB_LINUX_MMAPPED',
  249: 'NETLINK',
};

export function linkTypeName(linkType: number): string {
  return NAMES[linkType] ?? `LINKTYPE ${linkType}`;
}
