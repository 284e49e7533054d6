import { CIPHER_SUITE_NAMES } from '../registry/cipher-suites.js';
import { cipherSuiteKeyExchange } from '../registry/key-exchange.js';
import { namedGroupName } from '../registry/names.js';
import { signatureSchemeName } from '../registry/signature-schemes.js';
import { ByteReader } from './reader.js';
import type { ServerKeyExchange } from './types.js';

/**
 * ServerKeyExchange (RFC 5246 §7.4.3, RFC 8422 §5.4, RFC 4279). Its layout depends on the key exchange of
 * the negotiated suite, so the caller passes the suite; without it the message is returned raw.
 */
export function parseServerKeyExchange(body: Uint8Array, cipherSuite: number | undefined, version: number | undefined): ServerKeyExchange {
  const reader = new ByteReader(body, 'ServerKeyExchange');
  const result: ServerKeyExchange = { type: 'ServerKeyExchange', keyExchange: 'unknown', raw: body };
  if (cipherSuite === undefined) return result;
  const kx = cipherSuiteKeyExchange(cipherSuite);
  const anonymous = (CIPHER_SUITE_NAMES[cipherSuite] ?? '').includes('_anon_');
  switch (kx) {
    case 'ecdhe':
    case 'ecdh': // ECDH_anon sends ephemeral parameters too
      result.keyExchange = 'ecdhe';
      readEcParameters(reader, result);
      if (!anonymous) readSignature(reader, result, version);
      break;
    case 'dhe':
      result.keyExchange = 'dhe';
      readDhParameters(reader, result);
      if (!anonymous) readSignature(reader, result, version);
      break;
    case 'psk':
    case 'rsa_psk':
      result.keyExchange = 'psk';
      result.pskIdentityHintLength = reader.vector(2, 'psk_identity_hint').length;
      break;
    case 'ecdhe_psk':
      result.keyExchange = 'ecdhe_psk';
      result.pskIdentityHintLength = reader.vector(2, 'psk_identity_hint').length;
      readEcParameters(reader, result);
      break;
    case 'dhe_psk':
      result.keyExchange = 'dhe_psk';
      result.pskIdentityHintLength = reader.vector(2, 'psk_identity_hint').length;
      readDhParameters(reader, result);
      break;
    case 'rsa':
      // RSA_EXPORT: a temporary RSA key (modulus, exponent), then the signature.
      result.keyExchange = 'rsa';
      reader.vector(2, 'rsa_modulus');
      reader.vector(2, 'rsa_exponent');
      readSignature(reader, result, version);
      break;
    case 'srp':
      result.keyExchange = 'srp';
      reader.vector(2, 'srp_N');
      reader.vector(2, 'srp_g');
      reader.vector(1, 'srp_s');
      reader.vector(2, 'srp_B');
      if (reader.remaining > 0) readSignature(reader, result, version);
      break;
    default:
      return result;
  }
  reader.expectEnd('ServerKeyExchange');
  return result;
}

function readEcParameters(reader: ByteReader, result: ServerKeyExchange): void {
  const curveTypeAt = reader.offset;
  result.curveType = reader.u8('ECParameters.curve_type');
  if (result.curveType !== 3) reader.fail(`curve_type named_curve (3), got ${result.curveType}`, curveTypeAt);
  result.namedCurve = reader.u16('named_curve');
  result.namedCurveName = namedGroupName(result.namedCurve);
  result.publicKeyLength = reader.vector(1, 'ECPoint').length;
}

function readDhParameters(reader: ByteReader, result: ServerKeyExchange): void {
  const p = reader.vector(2, 'dh_p');
  let first = 0;
  while (first < p.length && p[first] === 0) first++;
  result.dhPrimeBits = first === p.length ? 0 : (p.length - first - 1) * 8 + (32 - Math.clz32(p[first]!));
  result.dhGeneratorLength = reader.vector(2, 'dh_g').length;
  result.publicKeyLength = reader.vector(2, 'dh_Ys').length;
}

/**
 * digitally-signed: TLS 1.2 puts a SignatureAndHashAlgorithm before the signature, TLS 1.0/1.1 do not.
 * When the version is unknown, the one that accounts for exactly the remaining bytes wins.
 */
function readSignature(reader: ByteReader, result: ServerKeyExchange, version: number | undefined): void {
  let withScheme = version === undefined ? true : version >= 0x0303;
  if (version === undefined && reader.remaining >= 2) {
    const bareLength = (reader.bytes[reader.pos]! << 8) | reader.bytes[reader.pos + 1]!;
    if (bareLength === reader.remaining - 2) withScheme = false;
  }
  if (withScheme) {
    result.signatureScheme = reader.u16('signature algorithm');
    result.signatureSchemeName = signatureSchemeName(result.signatureScheme);
  }
  result.signatureLength = reader.vector(2, 'signature').length;
}
