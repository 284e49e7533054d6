import { cipherSuiteName } from '../registry/names.js';
import { isGrease } from '../registry/grease.js';
import { ExtensionType } from '../registry/extensions.js';
import { ByteReader } from './reader.js';
import {
  bytesToText,
  extensionReader,
  readAlpnList,
  readDistinguishedNames,
  readExtensionBlock,
  readSignatureSchemeList,
  type LocatedExtension,
} from './extensions.js';
import type { ClientHello, ClientHelloExtensions, KeyShareEntry } from './types.js';
import { namedGroupName } from '../registry/names.js';

const WHAT = 'ClientHello';

/** ClientHello (RFC 8446 §4.1.2 / RFC 5246 §7.4.1.2), body without the handshake header. */
export function parseClientHello(body: Uint8Array): ClientHello {
  const reader = new ByteReader(body, WHAT);
  const legacyVersion = reader.u16('legacy_version');
  const random = reader.bytesView(32, 'random');
  const sessionIdAt = reader.offset;
  const sessionId = reader.vector(1, 'legacy_session_id');
  if (sessionId.length > 32) reader.fail('a session id of at most 32 bytes', sessionIdAt);
  const cipherSuites = reader.u16List(2, 'cipher_suites');
  const compressionAt = reader.offset;
  const compressionMethods = reader.u8List('legacy_compression_methods');
  if (compressionMethods.length === 0) reader.fail('at least one compression method', compressionAt);

  let located: LocatedExtension[] = [];
  const hasExtensionsBlock = reader.remaining > 0;
  if (hasExtensionsBlock) located = readExtensionBlock(reader, WHAT);
  reader.expectEnd('ClientHello');

  const greaseValues: number[] = cipherSuites.filter(isGrease);
  const decoded = decodeClientHelloExtensions(located, greaseValues);
  const versions = (decoded.supportedVersions ?? []).filter((v) => !isGrease(v));
  const effectiveVersion = versions.length > 0 ? Math.max(...versions) : legacyVersion;

  return {
    type: 'ClientHello',
    legacyVersion,
    random,
    sessionId,
    cipherSuites,
    cipherSuiteNames: cipherSuites.map(cipherSuiteName),
    greaseCipherSuites: cipherSuites.filter(isGrease),
    compressionMethods,
    extensions: located.map((l) => l.extension),
    hasExtensionsBlock,
    greaseValues,
    effectiveVersion,
    ...decoded,
  };
}

/** Decodes the extensions a ClientHello can carry; also used for the list inside an SSLv2-compatible hello. */
export function decodeClientHelloExtensions(located: LocatedExtension[], greaseValues: number[]): ClientHelloExtensions {
  const out: ClientHelloExtensions = {};
  const noteGrease = (values: number[]): void => {
    for (const v of values) if (isGrease(v)) greaseValues.push(v);
  };
  for (const item of located) {
    const ext = item.extension;
    if (ext.grease) {
      greaseValues.push(ext.type);
      continue;
    }
    const r = extensionReader(item, WHAT);
    switch (ext.type) {
      case ExtensionType.serverName: {
        // An empty server_name is legal only from a server; a client that sends one is still recorded.
        const names: string[] = [];
        if (r.remaining > 0) {
          const list = r.subReader(2, 'server_name_list');
          while (list.remaining > 0) {
            const nameType = list.u8('server name type');
            const name = list.vector(2, 'server name');
            if (nameType === 0) names.push(bytesToText(name));
          }
          r.expectEnd('server_name extension');
        }
        out.serverNames = names;
        break;
      }
      case ExtensionType.alpn: {
        const alpn = readAlpnList(r);
        out.alpn = alpn;
        out.alpnProtocols = alpn.map(bytesToText);
        break;
      }
      case ExtensionType.supportedVersions: {
        const sub = r.subReader(1, 'supported_versions list');
        if (sub.bytes.length % 2 !== 0) sub.fail('supported_versions list with an even length', sub.base - 1);
        const versions: number[] = [];
        while (sub.remaining > 0) versions.push(sub.u16('supported version'));
        r.expectEnd('supported_versions extension');
        noteGrease(versions);
        out.supportedVersions = versions;
        break;
      }
      case ExtensionType.signatureAlgorithms:
        out.signatureAlgorithms = readSignatureSchemeList(r, 'signature_algorithms');
        noteGrease(out.signatureAlgorithms);
        break;
      case ExtensionType.signatureAlgorithmsCert:
        out.signatureAlgorithmsCert = readSignatureSchemeList(r, 'signature_algorithms_cert');
        noteGrease(out.signatureAlgorithmsCert);
        break;
      case ExtensionType.supportedGroups:
        out.supportedGroups = r.u16List(2, 'supported_groups list');
        r.expectEnd('supported_groups extension');
        noteGrease(out.supportedGroups);
        break;
      case ExtensionType.keyShare: {
        const list = r.subReader(2, 'client_shares');
        const shares: KeyShareEntry[] = [];
        while (list.remaining > 0) {
          const group = list.u16('key share group');
          const key = list.vector(2, 'key_exchange');
          shares.push({ group, groupName: namedGroupName(group), grease: isGrease(group), keyExchangeLength: key.length });
        }
        r.expectEnd('key_share extension');
        noteGrease(shares.map((s) => s.group));
        out.keyShareGroups = shares;
        break;
      }
      case ExtensionType.ecPointFormats:
        out.ecPointFormats = r.u8List('ec_point_format_list');
        r.expectEnd('ec_point_formats extension');
        break;
      case ExtensionType.statusRequest:
        // CertificateStatusRequest: status_type then a type-specific body we do not need.
        out.statusRequest = { statusType: r.remaining > 0 ? r.u8('status_type') : -1 };
        break;
      case ExtensionType.certificateAuthorities:
        out.certificateAuthorities = readDistinguishedNames(r, 'certificate_authorities');
        r.expectEnd('certificate_authorities extension');
        break;
      case ExtensionType.postHandshakeAuth:
        out.postHandshakeAuth = true;
        break;
      case ExtensionType.encryptThenMac:
        out.encryptThenMac = true;
        break;
      case ExtensionType.extendedMasterSecret:
        out.extendedMasterSecret = true;
        break;
      case ExtensionType.sessionTicket:
        out.sessionTicketLength = ext.data.length;
        break;
      case ExtensionType.pskKeyExchangeModes:
        out.pskKeyExchangeModes = r.u8List('ke_modes');
        r.expectEnd('psk_key_exchange_modes extension');
        break;
      case ExtensionType.preSharedKey: {
        const identities = r.subReader(2, 'PSK identities');
        let count = 0;
        while (identities.remaining > 0) {
          identities.vector(2, 'PSK identity');
          identities.u32('obfuscated_ticket_age');
          count++;
        }
        r.subReader(2, 'PSK binders');
        r.expectEnd('pre_shared_key extension');
        out.preSharedKey = { identities: count };
        break;
      }
      case ExtensionType.earlyData:
        out.earlyData = true;
        break;
      case ExtensionType.renegotiationInfo:
        out.renegotiationInfoLength = r.vector(1, 'renegotiated_connection').length;
        r.expectEnd('renegotiation_info extension');
        break;
      case ExtensionType.recordSizeLimit:
        out.recordSizeLimit = r.u16('record_size_limit');
        r.expectEnd('record_size_limit extension');
        break;
      case ExtensionType.compressCertificate:
        out.compressCertificate = r.u16List(1, 'compress_certificate algorithms');
        r.expectEnd('compress_certificate extension');
        break;
      case ExtensionType.maxFragmentLength:
        out.maxFragmentLength = r.u8('max_fragment_length');
        r.expectEnd('max_fragment_length extension');
        break;
      case ExtensionType.signedCertificateTimestamp:
        out.signedCertificateTimestamp = true;
        break;
      case ExtensionType.delegatedCredential:
        out.delegatedCredentialSchemes = readSignatureSchemeList(r, 'delegated_credential');
        noteGrease(out.delegatedCredentialSchemes);
        break;
      case ExtensionType.padding:
        out.paddingLength = ext.data.length;
        break;
      case ExtensionType.cookie:
        out.cookieLength = r.vector(2, 'cookie').length;
        r.expectEnd('cookie extension');
        break;
      default:
        break;
    }
  }
  return out;
}
