import { CIPHER_SUITE_NAMES } from './cipher-suites.js';
import { EXTENSION_NAMES } from './extensions.js';
import { NAMED_GROUP_NAMES } from './named-groups.js';
import { isGrease } from './grease.js';

const hex4 = (value: number): string => `0x${value.toString(16).padStart(4, '0')}`;

/** IANA name of a cipher suite; 'GREASE (0x?a?a)' or hex when unassigned. */
export function cipherSuiteName(suite: number): string {
  if (isGrease(suite)) return `GREASE (${hex4(suite)})`;
  return CIPHER_SUITE_NAMES[suite] ?? hex4(suite);
}

export function extensionName(type: number): string {
  if (isGrease(type)) return `GREASE (${hex4(type)})`;
  return EXTENSION_NAMES[type] ?? hex4(type);
}

export function namedGroupName(group: number): string {
  if (isGrease(group)) return `GREASE (${hex4(group)})`;
  return NAMED_GROUP_NAMES[group] ?? hex4(group);
}

/** SSLv2 CIPHER-SPECs (3 bytes) that are not TLS suites, i.e. whose first byte is not zero. */
export const SSL2_CIPHER_SPEC_NAMES: Readonly<Record<number, string>> = {
  0x010080: 'SSL2_RC4_128_WITH_MD5',
  0x020080: 'SSL2_RC4_128_EXPORT40_WITH_MD5',
  0x030080: 'SSL2_RC2_128_CBC_WITH_MD5',
  0x040080: 'SSL2_RC2_128_CBC_EXPORT40_WITH_MD5',
  0x050080: 'SSL2_IDEA_128_CBC_WITH_MD5',
  0x060040: 'SSL2_DES_64_CBC_WITH_MD5',
  0x0700c0: 'SSL2_DES_192_EDE3_CBC_WITH_MD5',
  0x080080: 'SSL2_RC4_64_WITH_MD5',
};
