import { extensionName } from '../registry/names.js';
import { isGrease } from '../registry/grease.js';
import { ByteReader } from './reader.js';
import { MAX_DISTINGUISHED_NAMES, MAX_EXTENSIONS_PER_BLOCK } from './limits.js';
import type { RawExtension } from './types.js';

/** An extension with the message offset of its data, so decoders can report exact offsets. */
export interface LocatedExtension {
  extension: RawExtension;
  dataOffset: number;
}

/** Reads `extensions<0..2^16-1>`: a 2-byte total length, then type/length/data triples. */
export function readExtensionBlock(reader: ByteReader, where: string): LocatedExtension[] {
  const block = reader.subReader(2, `${where} extensions`);
  const located: LocatedExtension[] = [];
  while (block.remaining > 0) {
    if (located.length === MAX_EXTENSIONS_PER_BLOCK) block.exceedsLimit(`at most ${MAX_EXTENSIONS_PER_BLOCK} extensions (tlsdiag's limit), found more`);
    const type = block.u16(`${where} extension type`);
    const name = extensionName(type);
    const dataOffset = block.offset + 2;
    const data = block.vector(2, `${name} extension data`);
    located.push({ extension: { type, name, grease: isGrease(type), data }, dataOffset });
  }
  return located;
}

export function extensionReader(located: LocatedExtension, what: string): ByteReader {
  return new ByteReader(located.extension.data, what, located.dataOffset);
}

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Text of an ALPN id or host name: UTF-8 when valid, else one character per byte. */
export function bytesToText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}

/** ProtocolNameList (RFC 7301 §3.1): 2-byte list length, then 1-byte-prefixed non-empty names. */
export function readAlpnList(reader: ByteReader): Uint8Array[] {
  const list = reader.subReader(2, 'ALPN protocol_name_list');
  const names: Uint8Array[] = [];
  while (list.remaining > 0) names.push(list.vector(1, 'ALPN protocol name'));
  reader.expectEnd('application_layer_protocol_negotiation extension');
  return names;
}

/** certificate_authorities (RFC 8446 §4.2.4) and the TLS 1.2 CertificateRequest list: DER names, 2-byte prefixed. */
export function readDistinguishedNames(reader: ByteReader, expected: string): Uint8Array[] {
  const list = reader.subReader(2, expected);
  const names: Uint8Array[] = [];
  while (list.remaining > 0) {
    if (names.length === MAX_DISTINGUISHED_NAMES) list.exceedsLimit(`at most ${MAX_DISTINGUISHED_NAMES} distinguished names (tlsdiag's limit), found more`);
    const nameAt = list.offset;
    const name = list.vector(2, 'DistinguishedName');
    if (name.length === 0) list.fail('a non-empty DER DistinguishedName', nameAt);
    names.push(name);
  }
  return names;
}

/** signature_algorithms / signature_algorithms_cert body. */
export function readSignatureSchemeList(reader: ByteReader, what: string): number[] {
  const list = reader.u16List(2, `${what} list`);
  reader.expectEnd(`${what} extension`);
  return list;
}
