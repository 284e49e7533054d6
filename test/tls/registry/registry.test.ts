import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  ALERT_DESCRIPTION_CODES,
  ALERT_DESCRIPTION_NAMES,
  CIPHER_SUITE_NAMES,
  cipherSuiteKeyExchange,
  cipherSuiteName,
  CLIENT_CERTIFICATE_TYPE_NAMES,
  extensionName,
  HANDSHAKE_TYPE_NAMES,
  isGrease,
  isGreaseByte,
  namedGroupName,
  protocolVersionName,
  signatureSchemeName,
} from '../../../src/tls/registry/index.js';
import { requireTool } from '../../tools.js';

/** OpenSSL's own table of suite ids and IANA ("standard") names, when openssl is installed. */
function opensslSuites(): Array<{ id: number; name: string }> {
  if (!requireTool('openssl', "the comparison with OpenSSL's cipher suite names")) return [];
  const out = execFileSync('openssl', ['ciphers', '-V', '-stdname', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => /0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ id: parseInt(m[1]! + m[2]!, 16), name: m[3]! }));
}

describe('cipher suites', () => {
  const suites = opensslSuites();
  it.runIf(suites.length > 0)('name every suite OpenSSL knows exactly as OpenSSL -stdname does', () => {
    expect(suites.length).toBeGreaterThan(50);
    for (const { id, name } of suites) expect(cipherSuiteName(id), `0x${id.toString(16)}`).toBe(name);
  });

  it('cover TLS 1.3, SCSVs, export and SSLv3-era suites', () => {
    expect(CIPHER_SUITE_NAMES[0x1301]).toBe('TLS_AES_128_GCM_SHA256');
    expect(CIPHER_SUITE_NAMES[0x1305]).toBe('TLS_AES_128_CCM_8_SHA256');
    expect(CIPHER_SUITE_NAMES[0x00ff]).toBe('TLS_EMPTY_RENEGOTIATION_INFO_SCSV');
    expect(CIPHER_SUITE_NAMES[0x5600]).toBe('TLS_FALLBACK_SCSV');
    expect(CIPHER_SUITE_NAMES[0x0003]).toBe('TLS_RSA_EXPORT_WITH_RC4_40_MD5');
    expect(CIPHER_SUITE_NAMES[0xc030]).toBe('TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384');
    expect(CIPHER_SUITE_NAMES[0xcca9]).toBe('TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256');
    expect(cipherSuiteName(0x0a0a)).toBe('GREASE (0x0a0a)');
    expect(cipherSuiteName(0x1399)).toBe('0x1399');
  });

  it('tell the key exchange from the suite', () => {
    expect(cipherSuiteKeyExchange(0xc02f)).toBe('ecdhe');
    expect(cipherSuiteKeyExchange(0x009e)).toBe('dhe');
    expect(cipherSuiteKeyExchange(0x009c)).toBe('rsa');
    expect(cipherSuiteKeyExchange(0x1302)).toBe('tls13');
    expect(cipherSuiteKeyExchange(0x00a8)).toBe('psk');
    expect(cipherSuiteKeyExchange(0xc035)).toBe('ecdhe_psk');
    expect(cipherSuiteKeyExchange(0x1399)).toBeNull();
  });
});

describe('GREASE (RFC 8701)', () => {
  it('recognises exactly the sixteen 0x?A?A values', () => {
    const grease = [];
    for (let v = 0; v <= 0xffff; v++) if (isGrease(v)) grease.push(v);
    expect(grease).toEqual(Array.from({ length: 16 }, (_, i) => i * 0x1010 + 0x0a0a));
  });
  it('recognises one-byte GREASE values', () => {
    const grease = [];
    for (let v = 0; v <= 0xff; v++) if (isGreaseByte(v)) grease.push(v);
    expect(grease).toEqual([0x0b, 0x2a, 0x49, 0x68, 0x87, 0xa6, 0xc5, 0xe4]);
  });
});

describe('other registries', () => {
  it('map alert descriptions both ways', () => {
    expect(ALERT_DESCRIPTION_NAMES[42]).toBe('bad_certificate');
    expect(ALERT_DESCRIPTION_NAMES[48]).toBe('unknown_ca');
    expect(ALERT_DESCRIPTION_NAMES[116]).toBe('certificate_required');
    expect(ALERT_DESCRIPTION_NAMES[120]).toBe('no_application_protocol');
    for (const [code, name] of Object.entries(ALERT_DESCRIPTION_NAMES)) expect(ALERT_DESCRIPTION_CODES[name]).toBe(Number(code));
  });
  it('name protocol versions', () => {
    expect(protocolVersionName(0x0300)).toBe('SSL 3.0');
    expect(protocolVersionName(0x0301)).toBe('TLS 1.0');
    expect(protocolVersionName(0x0304)).toBe('TLS 1.3');
    expect(protocolVersionName(0xfefd)).toBe('DTLS 1.2');
    expect(protocolVersionName(0x7f17)).toBe('TLS 1.3 (draft 23)');
    expect(protocolVersionName(0x1234)).toBe('0x1234');
  });
  it('name signature schemes, groups, extensions, handshake and certificate types', () => {
    expect(signatureSchemeName(0x0804)).toBe('rsa_pss_rsae_sha256');
    expect(signatureSchemeName(0x0403)).toBe('ecdsa_secp256r1_sha256');
    expect(signatureSchemeName(0x0402)).toBe('dsa_sha256');
    expect(signatureSchemeName(0x0301)).toBe('rsa_sha224');
    expect(namedGroupName(0x001d)).toBe('x25519');
    expect(namedGroupName(0x11ec)).toBe('X25519MLKEM768');
    expect(namedGroupName(0x0a0a)).toBe('GREASE (0x0a0a)');
    expect(extensionName(0)).toBe('server_name');
    expect(extensionName(16)).toBe('application_layer_protocol_negotiation');
    expect(extensionName(65281)).toBe('renegotiation_info');
    expect(HANDSHAKE_TYPE_NAMES[13]).toBe('certificate_request');
    expect(CLIENT_CERTIFICATE_TYPE_NAMES[64]).toBe('ecdsa_sign');
  });
});
