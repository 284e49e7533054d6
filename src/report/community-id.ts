import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

/** IANA protocol number of TCP, the only transport tlsdiag reads. */
const TCP = 6;

/**
 * The Community ID v1 of a flow (github.com/corelight/community-id-spec): the flow hash Zeek, Suricata and
 * others log, so tlsdiag's lines can be joined with theirs. "1:" + base64(SHA-1(seed (2 bytes) ‖ address ‖
 * address ‖ protocol (1 byte) ‖ 0 (1 byte) ‖ port (2 bytes) ‖ port (2 bytes))), the endpoints ordered so that the
 * smaller address (bytes compared; on equal addresses the smaller port) comes first: both directions give
 * the same id. Null for an address that is neither IPv4 nor IPv6.
 */
export function communityId(
  a: { ip: string; port: number },
  b: { ip: string; port: number },
  protocol = TCP,
  seed = 0,
): string | null {
  const addressA = addressBytes(a.ip);
  const addressB = addressBytes(b.ip);
  if (addressA === null || addressB === null || addressA.length !== addressB.length) return null;
  const order = Buffer.compare(addressA, addressB);
  const [first, second] = order < 0 || (order === 0 && a.port <= b.port) ? [a, b] : [b, a];
  const [firstAddress, secondAddress] = first === a ? [addressA, addressB] : [addressB, addressA];
  const fixed = Buffer.alloc(8);
  fixed.writeUInt16BE(seed, 0);
  fixed.writeUInt8(protocol, 2);
  fixed.writeUInt8(0, 3);
  fixed.writeUInt16BE(first.port, 4);
  fixed.writeUInt16BE(second.port, 6);
  const hash = createHash('sha1')
    .update(fixed.subarray(0, 2))
    .update(firstAddress)
    .update(secondAddress)
    .update(fixed.subarray(2))
    .digest('base64');
  return `1:${hash}`;
}

function addressBytes(ip: string): Buffer | null {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  if (!isIPv6(ip)) return null;
  // Expand "::" and an embedded dotted quad into eight 16-bit groups.
  let text = ip.replace(/%.*$/, '');
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [hi, lo] = [Number(quad[1]) * 256 + Number(quad[2]), Number(quad[3]) * 256 + Number(quad[4])];
    text = `${text.slice(0, quad.index)}${hi.toString(16)}:${lo.toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === null ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const bytes = Buffer.alloc(16);
  groups.forEach((g, i) => bytes.writeUInt16BE(parseInt(g, 16), i * 2));
  return bytes;
}
