import { describe, expect, it } from 'vitest';
import { parseHandshakeMessage } from '../../../src/tls/handshake/index.js';
import { HELLO_RETRY_REQUEST_RANDOM } from '../../../src/tls/handshake/server-hello.js';
import type { ClientHello, HandshakeMessage } from '../../../src/tls/handshake/types.js';
import { hex, loadFixtureMessages, num, nums, type FixtureMessage } from './fixtures.js';

const messages = loadFixtureMessages();

const EXPECTED_TYPE: Record<number, HandshakeMessage['type'][]> = {
  0: ['HelloRequest'],
  24: ['KeyUpdate'],
  1: ['ClientHello'],
  2: ['ServerHello', 'HelloRetryRequest'],
  4: ['NewSessionTicket'],
  8: ['EncryptedExtensions'],
  11: ['Certificate'],
  12: ['ServerKeyExchange'],
  13: ['CertificateRequest'],
  14: ['ServerHelloDone'],
  15: ['CertificateVerify'],
  16: ['ClientKeyExchange'],
  20: ['Finished'],
  22: ['CertificateStatus'],
};

/** Extension types whose signature scheme lists tshark folds into tls.handshake.sig_hash_alg, in wire order. */
function signatureListsInWireOrder(hello: ClientHello): number[] {
  const out: number[] = [];
  for (const ext of hello.extensions) {
    if (ext.type === 13) out.push(...(hello.signatureAlgorithms ?? []));
    if (ext.type === 50) out.push(...(hello.signatureAlgorithmsCert ?? []));
    if (ext.type === 34) out.push(...(hello.delegatedCredentialSchemes ?? []));
  }
  return out;
}

/** The contents of a DER TLV (its tag and length stripped). */
function derContents(der: Uint8Array): Uint8Array {
  const first = der[1]!;
  const headerLength = first < 0x80 ? 2 : 2 + (first & 0x7f);
  return der.subarray(headerLength);
}

function check(m: FixtureMessage): void {
  const t = m.tshark;
  const parsed = parseHandshakeMessage(m.msgType, m.body, m.context);
  expect(EXPECTED_TYPE[m.msgType], m.where).toContain(parsed.type);
  switch (parsed.type) {
    case 'ClientHello': {
      expect(parsed.legacyVersion).toBe(num(t['tls.handshake.version']![0]!));
      expect(hex(parsed.random)).toBe(t['tls.handshake.random']![0]!.replaceAll(':', ''));
      expect(parsed.sessionId.length).toBe(num(t['tls.handshake.session_id_length']![0]!));
      expect(parsed.cipherSuites).toEqual(nums(t['tls.handshake.ciphersuite']));
      expect(parsed.compressionMethods).toEqual(nums(t['tls.handshake.comp_method']));
      expect(parsed.extensions.map((e) => e.type)).toEqual(nums(t['tls.handshake.extension.type']));
      expect(parsed.serverNames ?? []).toEqual(t['tls.handshake.extensions_server_name'] ?? []);
      expect(parsed.supportedVersions ?? []).toEqual(nums(t['tls.handshake.extensions.supported_version']));
      expect(parsed.supportedGroups ?? []).toEqual(nums(t['tls.handshake.extensions_supported_group']));
      expect((parsed.keyShareGroups ?? []).map((k) => k.group)).toEqual(nums(t['tls.handshake.extensions_key_share_group']));
      expect(parsed.ecPointFormats ?? []).toEqual(nums(t['tls.handshake.extensions_ec_point_format']));
      expect(signatureListsInWireOrder(parsed)).toEqual(nums(t['tls.handshake.sig_hash_alg']));
      expect(parsed.pskKeyExchangeModes ?? []).toEqual(nums(t['tls.extension.psk_ke_mode']));
      if (t['tls.record_size_limit']) expect(parsed.recordSizeLimit).toBe(num(t['tls.record_size_limit'][0]!));
      if (t['tls.handshake.extensions_status_request_type']) {
        expect(parsed.statusRequest?.statusType).toBe(num(t['tls.handshake.extensions_status_request_type'][0]!));
      }
      if (t['tls.handshake.extensions_reneg_info_len']) {
        expect(parsed.renegotiationInfoLength).toBe(num(t['tls.handshake.extensions_reneg_info_len'][0]!));
      }
      if (t['tls.handshake.extensions_alpn_str']) {
        // tshark shows ALPN ids as text; compare only the printable ones (non-ASCII ids are checked by JA4).
        const printable = (s: string): boolean => /^[\x20-\x7e]*$/.test(s);
        const ours = parsed.alpnProtocols ?? [];
        const theirs = t['tls.handshake.extensions_alpn_str'];
        expect(ours.length).toBe(theirs.length);
        ours.forEach((p, i) => {
          if (printable(p) && printable(theirs[i]!)) expect(p).toBe(theirs[i]);
        });
      }
      break;
    }
    case 'ServerHello':
    case 'HelloRetryRequest': {
      expect(parsed.legacyVersion).toBe(num(t['tls.handshake.version']![0]!));
      expect(parsed.cipherSuite).toBe(num(t['tls.handshake.ciphersuite']![0]!));
      expect(parsed.extensions.map((e) => e.type)).toEqual(nums(t['tls.handshake.extension.type']));
      if (t['tls.handshake.extensions.supported_version']) {
        expect(parsed.selectedVersion).toBe(num(t['tls.handshake.extensions.supported_version'][0]!));
      }
      const group = t['tls.handshake.extensions_key_share_group'] ?? t['tls.handshake.extensions_key_share_selected_group'];
      if (group) expect(parsed.keyShareGroup).toBe(num(group[0]!));
      if (t['tls.handshake.extensions_alpn_str']) expect(parsed.alpn).toBe(t['tls.handshake.extensions_alpn_str'][0]);
      const retryRandom = parsed.random.every((byte, i) => byte === HELLO_RETRY_REQUEST_RANDOM[i]);
      expect(parsed.type).toBe(retryRandom ? 'HelloRetryRequest' : 'ServerHello');
      break;
    }
    case 'Certificate':
      expect(parsed.tls13).toBe(m.context.version === 0x0304);
      expect(parsed.certificatesLength).toBe(num(t['tls.handshake.certificates_length']![0]!));
      expect(parsed.certificates.map((c) => c.data.length)).toEqual(nums(t['tls.handshake.certificate_length']));
      break;
    case 'CertificateRequest':
      expect(parsed.certificateTypes).toEqual(nums(t['tls.handshake.cert_type']));
      expect([...parsed.signatureAlgorithms, ...(parsed.signatureAlgorithmsCert ?? [])]).toEqual(nums(t['tls.handshake.sig_hash_alg']));
      // tshark's dname_raw covers the RDNSequence's contents; ours is the whole DER Name (SEQUENCE header too).
      expect(parsed.certificateAuthorities.map((dn) => dn.length)).toEqual(nums(t['tls.handshake.dname_len']));
      expect(parsed.certificateAuthorities.map((dn) => dn[0])).toEqual(parsed.certificateAuthorities.map(() => 0x30));
      expect(parsed.certificateAuthorities.map((dn) => hex(derContents(dn)))).toEqual(t['tls.handshake.dname_hex'] ?? []);
      break;
    case 'ServerKeyExchange':
      if (t['tls.handshake.server_named_curve']) {
        expect(parsed.keyExchange).toBe('ecdhe');
        expect(parsed.curveType).toBe(num(t['tls.handshake.server_curve_type']![0]!));
        expect(parsed.namedCurve).toBe(num(t['tls.handshake.server_named_curve'][0]!));
        expect(parsed.publicKeyLength).toBe(num(t['tls.handshake.server_point_len']![0]!));
      }
      if (t['tls.handshake.p_len']) {
        expect(parsed.keyExchange).toBe('dhe');
        expect(Math.ceil(parsed.dhPrimeBits! / 8)).toBeLessThanOrEqual(num(t['tls.handshake.p_len'][0]!));
      }
      if (t['tls.handshake.sig_hash_alg']) expect(parsed.signatureScheme).toBe(num(t['tls.handshake.sig_hash_alg'][0]!));
      if (t['tls.handshake.sig_len']) expect(parsed.signatureLength).toBe(num(t['tls.handshake.sig_len'][0]!));
      break;
    case 'CertificateStatus':
      expect(parsed.statusType).toBe(num(t['tls.handshake.extensions_status_request_type']![0]!));
      expect(parsed.ocspResponse?.length).toBe(num(t['tls.handshake.ocsp_response_len']![0]!));
      break;
    case 'ClientKeyExchange': {
      const inner = t['tls.handshake.client_point_len'] ?? t['tls.handshake.epms_len'];
      // ECDH: 1-byte point length prefix; RSA: 2-byte encrypted pre-master length prefix.
      if (t['tls.handshake.client_point_len']) expect(parsed.length).toBe(num(inner![0]!) + 1);
      if (t['tls.handshake.epms_len']) expect(parsed.length).toBe(num(inner![0]!) + 2);
      break;
    }
    case 'CertificateVerify':
      // TLS 1.0/1.1 carry no scheme: neither tshark nor we show one.
      expect(parsed.signatureScheme).toBe(t['tls.handshake.sig_hash_alg'] ? num(t['tls.handshake.sig_hash_alg'][0]!) : undefined);
      expect(parsed.signatureLength).toBe(num(t['tls.handshake.client_cert_vrfy.sig_len']![0]!));
      break;
    case 'Finished':
      expect(parsed.verifyDataLength).toBe(m.body.length);
      expect([12, 32, 48]).toContain(parsed.verifyDataLength);
      break;
    case 'NewSessionTicket':
      expect(parsed.lifetime).toBe(num(t['tls.handshake.session_ticket_lifetime_hint']![0]!));
      expect(parsed.ticketLength).toBe(num(t['tls.handshake.session_ticket_length']![0]!));
      if (t['tls.handshake.session_ticket_age_add']) expect(parsed.ageAdd).toBe(num(t['tls.handshake.session_ticket_age_add'][0]!));
      break;
    case 'EncryptedExtensions':
      expect(parsed.extensions.map((e) => e.type)).toEqual(nums(t['tls.handshake.extension.type']));
      if (t['tls.handshake.extensions_alpn_str']) expect(parsed.alpn).toBe(t['tls.handshake.extensions_alpn_str'][0]);
      expect(parsed.serverNameAcknowledged).toBe(nums(t['tls.handshake.extension.type']).includes(0));
      break;
    case 'ServerHelloDone':
    case 'HelloRequest':
      expect(m.body.length).toBe(0);
      break;
    case 'KeyUpdate':
      expect(parsed.requestUpdate).toBe(num(t['tls.handshake.key_update.request_update']![0]!));
      break;
    default:
      throw new Error(`${m.where}: unexpected ${parsed.type}`);
  }
}

describe('handshake parsers agree with tshark on real messages', () => {
  it('include the layouts that need context: DHE, TLS 1.0 requests, empty client certificates, TLS 1.3 requests', () => {
    const parsedAll = messages.map((m) => parseHandshakeMessage(m.msgType, m.body, m.context));
    expect(parsedAll.some((p) => p.type === 'ServerKeyExchange' && p.keyExchange === 'dhe' && p.dhPrimeBits === 2048)).toBe(true);
    expect(parsedAll.some((p) => p.type === 'CertificateVerify' && p.signatureScheme === undefined)).toBe(true);
    expect(parsedAll.some((p) => p.type === 'CertificateRequest' && !p.tls13 && p.signatureAlgorithms.length === 0)).toBe(true);
    expect(parsedAll.some((p) => p.type === 'CertificateRequest' && p.tls13 && p.certificateAuthorities.length > 0)).toBe(true);
    expect(parsedAll.some((p) => p.type === 'Certificate' && p.certificatesLength === 0 && p.certificates.length === 0)).toBe(true);
    expect(parsedAll.some((p) => p.type === 'Certificate' && p.tls13 && p.certificates.length > 0)).toBe(true);
    expect(parsedAll.some((p) => p.type === 'CertificateStatus' && (p.ocspResponse?.length ?? 0) > 0)).toBe(true);
    expect(parsedAll.some((p) => p.type === 'HelloRetryRequest')).toBe(true);
    expect(parsedAll.some((p) => p.type === 'ClientHello' && (p.renegotiationInfoLength ?? 0) > 0)).toBe(true);
    expect(parsedAll.some((p) => p.type === 'KeyUpdate' && p.requestUpdate === 1)).toBe(true);
    expect(parsedAll.some((p) => p.type === 'NewSessionTicket' && p.tls13 && p.nonce !== undefined)).toBe(true);
  });

  it('has fixtures of every message type the captures show in clear', () => {
    const types = new Set(messages.map((m) => m.msgType));
    for (const t of [0, 1, 2, 4, 8, 11, 12, 13, 14, 15, 16, 20, 22, 24]) expect(types, `message type ${t}`).toContain(t);
  });

  for (const m of messages) {
    it(`${m.where} (type ${m.msgType})`, () => check(m));
  }
});
