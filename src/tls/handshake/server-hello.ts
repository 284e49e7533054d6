import { cipherSuiteName } from '../registry/names.js';
import { ExtensionType } from '../registry/extensions.js';
import { tls13Variant } from '../registry/protocol-versions.js';
import { ByteReader } from './reader.js';
import { bytesToText, extensionReader, readAlpnList, readExtensionBlock, type LocatedExtension } from './extensions.js';
import type { ServerHello } from './types.js';

/** SHA-256("HelloRetryRequest"): the random of a HelloRetryRequest (RFC 8446 §4.1.3). */
export const HELLO_RETRY_REQUEST_RANDOM = Uint8Array.from([
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
]);

function isHelloRetryRandom(random: Uint8Array): boolean {
  return random.every((byte, i) => byte === HELLO_RETRY_REQUEST_RANDOM[i]);
}

/**
 * ServerHello or HelloRetryRequest (same message type, told apart by the random). TLS 1.3 drafts before 22 use
 * their own layout, told by the version field (draft-ietf-tls-tls13-18 §4.1.3): version, random, cipher_suite,
 * extensions — no session id echo, no compression method, and the version is the draft's own (0x7f12).
 */
export function parseServerHello(body: Uint8Array): ServerHello {
  const reader = new ByteReader(body, 'ServerHello');
  const legacyVersion = reader.u16('legacy_version');
  const random = reader.bytesView(32, 'random');
  const draftLayout = tls13Variant(legacyVersion)?.legacyServerHello === true;
  // Drafts before 22 had a HelloRetryRequest message type of their own (6); only the later ones reuse ServerHello.
  const isHelloRetryRequest = !draftLayout && isHelloRetryRandom(random);
  const what = isHelloRetryRequest ? 'HelloRetryRequest' : 'ServerHello';
  let sessionId: Uint8Array = new Uint8Array(0);
  if (!draftLayout) {
    const sessionIdAt = reader.offset;
    sessionId = reader.vector(1, 'legacy_session_id_echo');
    if (sessionId.length > 32) reader.fail('a session id of at most 32 bytes', sessionIdAt);
  }
  const cipherSuite = reader.u16('cipher_suite');
  const compressionMethod = draftLayout ? 0 : reader.u8('legacy_compression_method');
  const hasExtensionsBlock = reader.remaining > 0;
  const located: LocatedExtension[] = hasExtensionsBlock ? readExtensionBlock(reader, what) : [];
  reader.expectEnd(what);

  const hello: ServerHello = {
    type: isHelloRetryRequest ? 'HelloRetryRequest' : 'ServerHello',
    legacyVersion,
    random,
    sessionId,
    cipherSuite,
    cipherSuiteName: cipherSuiteName(cipherSuite),
    compressionMethod,
    extensions: located.map((l) => l.extension),
    hasExtensionsBlock,
    effectiveVersion: legacyVersion,
  };
  for (const item of located) {
    const r = extensionReader(item, what);
    switch (item.extension.type) {
      case ExtensionType.supportedVersions:
        hello.selectedVersion = r.u16('selected_version');
        r.expectEnd('supported_versions extension');
        hello.effectiveVersion = hello.selectedVersion;
        break;
      case ExtensionType.keyShare:
        hello.keyShareGroup = r.u16('key share group');
        // A HelloRetryRequest names only the group; a ServerHello adds its key_exchange.
        if (!isHelloRetryRequest) r.vector(2, 'key_exchange');
        r.expectEnd('key_share extension');
        break;
      case ExtensionType.alpn: {
        const names = readAlpnList(r);
        if (names.length !== 1) r.fail(`exactly one ALPN protocol in a ServerHello, got ${names.length}`, item.dataOffset);
        hello.alpn = bytesToText(names[0]!);
        break;
      }
      case ExtensionType.encryptThenMac:
        hello.encryptThenMac = true;
        break;
      case ExtensionType.extendedMasterSecret:
        hello.extendedMasterSecret = true;
        break;
      case ExtensionType.statusRequest:
        hello.statusRequest = true;
        break;
      case ExtensionType.sessionTicket:
        hello.sessionTicket = true;
        break;
      case ExtensionType.renegotiationInfo:
        hello.renegotiationInfoLength = r.vector(1, 'renegotiated_connection').length;
        r.expectEnd('renegotiation_info extension');
        break;
      case ExtensionType.ecPointFormats:
        hello.ecPointFormats = r.u8List('ec_point_format_list');
        r.expectEnd('ec_point_formats extension');
        break;
      case ExtensionType.recordSizeLimit:
        hello.recordSizeLimit = r.u16('record_size_limit');
        r.expectEnd('record_size_limit extension');
        break;
      case ExtensionType.preSharedKey:
        hello.preSharedKeyIdentity = r.u16('selected_identity');
        r.expectEnd('pre_shared_key extension');
        break;
      case ExtensionType.cookie:
        hello.cookieLength = r.vector(2, 'cookie').length;
        r.expectEnd('cookie extension');
        break;
      default:
        break;
    }
  }
  return hello;
}
