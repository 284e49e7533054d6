import { ExtensionType } from '../registry/extensions.js';
import { signatureSchemeName } from '../registry/signature-schemes.js';
import { ByteReader } from './reader.js';
import { bytesToText, extensionReader, readAlpnList, readExtensionBlock } from './extensions.js';
import type {
  CertificateStatus,
  CertificateVerify,
  ClientKeyExchange,
  EncryptedExtensions,
  Finished,
  KeyUpdate,
  NewSessionTicket,
} from './types.js';

/** CertificateStatus (RFC 6066 §8, RFC 6961 §2.2). */
export function parseCertificateStatus(body: Uint8Array): CertificateStatus {
  const reader = new ByteReader(body, 'CertificateStatus');
  const statusTypeAt = reader.offset;
  const statusType = reader.u8('status_type');
  if (statusType === 1) {
    const ocspResponse = reader.vector(3, 'OCSPResponse');
    reader.expectEnd('CertificateStatus');
    return { type: 'CertificateStatus', statusType, ocspResponse };
  }
  if (statusType === 2) {
    const list = reader.subReader(3, 'OCSPResponse list');
    const responses: Uint8Array[] = [];
    while (list.remaining > 0) responses.push(list.vector(3, 'OCSPResponse'));
    reader.expectEnd('CertificateStatus');
    return { type: 'CertificateStatus', statusType, ocspResponse: responses.find((r) => r.length > 0) ?? null, ocspResponses: responses };
  }
  return reader.fail(`status_type ocsp (1) or ocsp_multi (2), got ${statusType}`, statusTypeAt);
}

export function parseClientKeyExchange(body: Uint8Array): ClientKeyExchange {
  return { type: 'ClientKeyExchange', length: body.length, raw: body };
}

/**
 * CertificateVerify: TLS 1.2 and 1.3 start with a SignatureScheme, TLS 1.0/1.1 with the signature itself.
 * When the version is unknown, the layout whose length accounts for the whole body is taken.
 */
export function parseCertificateVerify(body: Uint8Array, version: number | undefined): CertificateVerify {
  const reader = new ByteReader(body, 'CertificateVerify');
  let withScheme = version === undefined ? true : version >= 0x0303;
  if (version === undefined && body.length >= 2 && ((body[0]! << 8) | body[1]!) === body.length - 2) withScheme = false;
  const result: CertificateVerify = { type: 'CertificateVerify', signatureLength: 0 };
  if (withScheme) {
    result.signatureScheme = reader.u16('signature algorithm');
    result.signatureSchemeName = signatureSchemeName(result.signatureScheme);
  }
  result.signatureLength = reader.vector(2, 'signature').length;
  reader.expectEnd('CertificateVerify');
  return result;
}

export function parseFinished(body: Uint8Array): Finished {
  if (body.length === 0) new ByteReader(body, 'Finished').fail('verify_data (at least 1 byte)');
  return { type: 'Finished', verifyDataLength: body.length, verifyData: body };
}

/** NewSessionTicket: RFC 5077 §3.3 (TLS 1.2) or RFC 8446 §4.6.1 (TLS 1.3). */
export function parseNewSessionTicket(body: Uint8Array, tls13: boolean): NewSessionTicket {
  const reader = new ByteReader(body, 'NewSessionTicket');
  const lifetime = reader.u32(tls13 ? 'ticket_lifetime' : 'ticket_lifetime_hint');
  if (!tls13) {
    const ticket = reader.vector(2, 'ticket');
    reader.expectEnd('NewSessionTicket');
    return { type: 'NewSessionTicket', tls13, lifetime, ticketLength: ticket.length, extensions: [] };
  }
  const ageAdd = reader.u32('ticket_age_add');
  const nonce = reader.vector(1, 'ticket_nonce');
  const ticketAt = reader.offset;
  const ticket = reader.vector(2, 'ticket');
  if (ticket.length === 0) reader.fail('a non-empty ticket', ticketAt);
  const located = readExtensionBlock(reader, 'NewSessionTicket');
  reader.expectEnd('NewSessionTicket');
  const result: NewSessionTicket = {
    type: 'NewSessionTicket',
    tls13,
    lifetime,
    ageAdd,
    nonce,
    ticketLength: ticket.length,
    extensions: located.map((l) => l.extension),
  };
  for (const item of located) {
    if (item.extension.type !== ExtensionType.earlyData) continue;
    const r = extensionReader(item, 'NewSessionTicket');
    result.maxEarlyDataSize = r.u32('max_early_data_size');
    r.expectEnd('early_data extension');
  }
  return result;
}

/** EncryptedExtensions (RFC 8446 §4.3.1). */
export function parseEncryptedExtensions(body: Uint8Array): EncryptedExtensions {
  const reader = new ByteReader(body, 'EncryptedExtensions');
  const located = readExtensionBlock(reader, 'EncryptedExtensions');
  reader.expectEnd('EncryptedExtensions');
  const result: EncryptedExtensions = {
    type: 'EncryptedExtensions',
    extensions: located.map((l) => l.extension),
    serverNameAcknowledged: false,
  };
  for (const item of located) {
    const r = extensionReader(item, 'EncryptedExtensions');
    switch (item.extension.type) {
      case ExtensionType.serverName:
        result.serverNameAcknowledged = true;
        break;
      case ExtensionType.alpn: {
        const names = readAlpnList(r);
        if (names.length !== 1) r.fail(`exactly one ALPN protocol, got ${names.length}`, item.dataOffset);
        result.alpn = bytesToText(names[0]!);
        break;
      }
      case ExtensionType.supportedGroups:
        result.supportedGroups = r.u16List(2, 'supported_groups list');
        r.expectEnd('supported_groups extension');
        break;
      case ExtensionType.recordSizeLimit:
        result.recordSizeLimit = r.u16('record_size_limit');
        r.expectEnd('record_size_limit extension');
        break;
      case ExtensionType.earlyData:
        result.earlyData = true;
        break;
      case ExtensionType.maxFragmentLength:
        result.maxFragmentLength = r.u8('max_fragment_length');
        r.expectEnd('max_fragment_length extension');
        break;
      default:
        break;
    }
  }
  return result;
}

export function parseKeyUpdate(body: Uint8Array): KeyUpdate {
  const reader = new ByteReader(body, 'KeyUpdate');
  const requestUpdate = reader.u8('request_update');
  if (requestUpdate > 1) reader.fail(`request_update 0 or 1, got ${requestUpdate}`, 0);
  reader.expectEnd('KeyUpdate');
  return { type: 'KeyUpdate', requestUpdate };
}

/** Messages with an empty body: HelloRequest, ServerHelloDone, EndOfEarlyData. */
export function expectEmpty(body: Uint8Array, what: string): void {
  new ByteReader(body, what).expectEnd(`${what} (an empty message)`);
}
