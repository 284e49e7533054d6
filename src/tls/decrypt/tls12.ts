import { createDecipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';
import { concat, openAead, sequenceBytes, xorSequence } from './aead.js';
import { cipherSuiteParams, type BulkCipher, type CipherSuiteParams, type HashName } from './cipher-suites.js';
import { ssl3KeyBlock, tls10Prf, tls12Prf } from './prf.js';
import type { DecryptFailure, DecryptResult, RecordDecryptor } from './types.js';

/** TLSCiphertext.length limit for TLS 1.2 and older (RFC 5246 §6.2.3). */
const MAX_TLS12_CIPHERTEXT = 16384 + 2048;

export const SSL_3_0 = 0x0300;
export const TLS_1_0 = 0x0301;
export const TLS_1_1 = 0x0302;
export const TLS_1_2 = 0x0303;

const SSL3_PAD_1 = new Uint8Array(40).fill(0x36);
const SSL3_PAD_2 = new Uint8Array(40).fill(0x5c);

const MAC_LENGTH: Readonly<Record<HashName, number>> = { md5: 16, sha1: 20, sha256: 32, sha384: 48 };

export interface Tls12KeyParams {
  suite: number;
  /** Negotiated version: 0x0301 (TLS 1.0), 0x0302 (TLS 1.1) or 0x0303 (TLS 1.2). */
  version: number;
  /** CLIENT_RANDOM's 48-byte master secret. */
  masterSecret: Uint8Array;
  clientRandom: Uint8Array;
  serverRandom: Uint8Array;
  /** Both hellos carried encrypt_then_mac (RFC 7366); it changes only CBC suites. */
  encryptThenMac: boolean;
}

export interface Tls12Decryptors {
  client: RecordDecryptor;
  server: RecordDecryptor;
}

/**
 * The two record decryptors of a TLS 1.0-1.2 connection, from the master secret and both randoms. Null when
 * the suite cannot be decrypted (canDecrypt), is a TLS 1.3 suite, needs TLS 1.2 (AEADs) under an older
 * version, or when the inputs have the wrong sizes. After a renegotiation the caller builds a new pair from
 * the new handshake's randoms and installs each side's decryptor after that side's ChangeCipherSpec.
 */
export function tls12Decryptors(params: Tls12KeyParams): Tls12Decryptors | null {
  const suite = cipherSuiteParams(params.suite);
  if (suite === undefined || suite.tls13) return null;
  const { version } = params;
  if (version !== SSL_3_0 && version !== TLS_1_0 && version !== TLS_1_1 && version !== TLS_1_2) return null;
  // SSL 3.0's MAC (not HMAC) is implemented for SHA-1 CBC suites only.
  if (version === SSL_3_0 && (suite.macHash !== 'sha1' || suite.cipher.kind !== 'cbc')) return null;
  if (suite.cipher.kind !== 'cbc' && suite.cipher.kind !== 'null' && version !== TLS_1_2) return null;
  if (params.masterSecret.length !== 48 || params.clientRandom.length !== 32 || params.serverRandom.length !== 32) return null;

  const macLength = suite.macHash === null ? 0 : MAC_LENGTH[suite.macHash];
  const total = 2 * (macLength + suite.keyLength + suite.ivLength);
  const seed = concat(params.serverRandom, params.clientRandom);
  const block =
    version === TLS_1_2
      ? tls12Prf(suite.prfHash, params.masterSecret, 'key expansion', seed, total)
      : version === SSL_3_0
        ? ssl3KeyBlock(params.masterSecret, seed, total)
        : tls10Prf(params.masterSecret, 'key expansion', seed, total);
  let at = 0;
  const take = (n: number): Uint8Array => block.slice(at, (at += n));
  const clientMac = take(macLength);
  const serverMac = take(macLength);
  const clientKey = take(suite.keyLength);
  const serverKey = take(suite.keyLength);
  const clientIv = take(suite.ivLength);
  const serverIv = take(suite.ivLength);

  const cipher = suite.cipher;
  if (cipher.kind === 'null') {
    const macHash = suite.macHash!;
    return { client: new Tls12NullDecryptor(suite, clientMac, macHash), server: new Tls12NullDecryptor(suite, serverMac, macHash) };
  }
  if (cipher.kind === 'cbc') {
    const macHash = suite.macHash!;
    return {
      client: new Tls12CbcDecryptor(suite, cipher, clientKey, clientMac, macHash, version, params.encryptThenMac, clientIv),
      server: new Tls12CbcDecryptor(suite, cipher, serverKey, serverMac, macHash, version, params.encryptThenMac, serverIv),
    };
  }
  return {
    client: new Tls12AeadDecryptor(suite, cipher, clientKey, clientIv),
    server: new Tls12AeadDecryptor(suite, cipher, serverKey, serverIv),
  };
}

function checkSizes(header: Uint8Array, fragment: Uint8Array, minimum: number, what: string): DecryptFailure | null {
  if (header.length !== 5) return { ok: false, reason: 'bad-header', message: `expected a 5-byte record header, got ${header.length} bytes` };
  if (fragment.length < minimum) {
    return { ok: false, reason: 'record-too-short', message: `a ${what} record needs at least ${minimum} bytes, found ${fragment.length}` };
  }
  if (fragment.length > MAX_TLS12_CIPHERTEXT) {
    return { ok: false, reason: 'record-too-long', message: `record of ${fragment.length} bytes exceeds the TLS limit of ${MAX_TLS12_CIPHERTEXT}` };
  }
  return null;
}

/** seq_num + type + version + length, the AEAD additional data and the start of the MAC input (RFC 5246 §6.2.3). */
function pseudoHeader(sequence: bigint, header: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(13);
  out.set(sequenceBytes(sequence), 0);
  out[8] = header[0]!;
  out[9] = header[1]!;
  out[10] = header[2]!;
  out[11] = length >> 8;
  out[12] = length & 0xff;
  return out;
}

/** What every TLS 1.0-1.2 record decryptor shares: the suite, the record sequence number, and keys kept out of sight. */
abstract class Tls12Decryptor implements RecordDecryptor {
  protected seq = 0n;
  abstract readonly tagLength: number;

  constructor(protected readonly suite: CipherSuiteParams) {}

  get sequence(): bigint {
    return this.seq;
  }

  // Printing or serialising a decryptor must not show its keys (they decrypt the capture).
  [inspect.custom](): string {
    return `${this.constructor.name} { suite: ${this.suite.name}, sequence: ${this.seq} }`;
  }

  toJSON(): { suite: string; sequence: string } {
    return { suite: this.suite.name, sequence: this.seq.toString() };
  }

  abstract decrypt(header: Uint8Array, fragment: Uint8Array): DecryptResult;
}

/** AES-GCM and AES-CCM (8-byte explicit nonce in the record, RFC 5288/6655) and ChaCha20-Poly1305 (RFC 7905). */
class Tls12AeadDecryptor extends Tls12Decryptor {
  readonly tagLength: number;
  private readonly explicitNonceLength: number;

  constructor(
    suite: CipherSuiteParams,
    private readonly cipher: Exclude<BulkCipher, { kind: 'cbc' | 'null' }>,
    private readonly key: Uint8Array,
    private readonly iv: Uint8Array,
  ) {
    super(suite);
    this.tagLength = cipher.tagLength;
    this.explicitNonceLength = cipher.kind === 'chacha20-poly1305' ? 0 : 8;
  }

  decrypt(header: Uint8Array, fragment: Uint8Array): DecryptResult {
    const failure = checkSizes(header, fragment, this.explicitNonceLength + this.tagLength, this.suite.name);
    if (failure !== null) return failure;
    const nonce =
      this.explicitNonceLength === 0 ? xorSequence(this.iv, this.seq) : concat(this.iv, fragment.subarray(0, this.explicitNonceLength));
    const tagAt = fragment.length - this.tagLength;
    const ciphertext = fragment.subarray(this.explicitNonceLength, tagAt);
    const plain = openAead(this.cipher, this.key, nonce, pseudoHeader(this.seq, header, ciphertext.length), ciphertext, fragment.subarray(tagAt));
    if (plain === null) {
      return { ok: false, reason: 'bad-record-mac', message: `record ${this.seq} did not authenticate with the key log's ${this.suite.name} keys` };
    }
    this.seq++;
    return { ok: true, contentType: header[0]!, content: plain };
  }
}

/**
 * AES/3DES-CBC with HMAC: MAC-then-encrypt by default, encrypt-then-MAC (RFC 7366) when negotiated. TLS 1.1+
 * records carry their IV; TLS 1.0 chains it from the previous record's last ciphertext block.
 */
class Tls12CbcDecryptor extends Tls12Decryptor {
  readonly tagLength: number;
  private readonly blockSize: number;
  private readonly explicitIv: boolean;
  private readonly ssl3: boolean;

  constructor(
    suite: CipherSuiteParams,
    private readonly cipher: Extract<BulkCipher, { kind: 'cbc' }>,
    private readonly key: Uint8Array,
    private readonly macKey: Uint8Array,
    private readonly macHash: HashName,
    version: number,
    private readonly encryptThenMac: boolean,
    private chainedIv: Uint8Array,
  ) {
    super(suite);
    this.tagLength = MAC_LENGTH[macHash];
    this.blockSize = cipher.blockSize;
    this.explicitIv = version >= TLS_1_1;
    this.ssl3 = version === SSL_3_0;
  }

  decrypt(header: Uint8Array, fragment: Uint8Array): DecryptResult {
    const ivLength = this.explicitIv ? this.blockSize : 0;
    const macLength = this.tagLength;
    const minimum = this.encryptThenMac ? ivLength + this.blockSize + macLength : ivLength + Math.max(this.blockSize, macLength + 1);
    const failure = checkSizes(header, fragment, minimum, this.suite.name);
    if (failure !== null) return failure;

    const macEnd = this.encryptThenMac ? fragment.length - macLength : fragment.length;
    const ciphertext = fragment.subarray(ivLength, macEnd);
    if (ciphertext.length % this.blockSize !== 0) {
      return { ok: false, reason: 'bad-padding', message: `CBC ciphertext of ${ciphertext.length} bytes is not a whole number of ${this.blockSize}-byte blocks` };
    }
    if (this.encryptThenMac) {
      const expected = this.mac(header, fragment.subarray(0, macEnd));
      if (!timingSafeEqual(expected, fragment.subarray(macEnd))) return this.badMac();
    }
    const iv = this.explicitIv ? fragment.subarray(0, ivLength) : this.chainedIv;
    const plain = this.cbcDecrypt(iv, ciphertext);
    const padding = plain[plain.length - 1]!;
    if (padding + 1 > plain.length) return this.badMac();
    // SSL 3.0 padding bytes are arbitrary and shorter than a block; TLS's all repeat the length.
    if (this.ssl3 && padding >= this.blockSize) return this.badMac();
    if (!this.ssl3) for (let i = plain.length - 1 - padding; i < plain.length; i++) if (plain[i] !== padding) return this.badMac();
    let content = plain.subarray(0, plain.length - 1 - padding);
    if (!this.encryptThenMac) {
      if (content.length < macLength) return this.badMac();
      const received = content.subarray(content.length - macLength);
      content = content.subarray(0, content.length - macLength);
      if (!timingSafeEqual(this.mac(header, content), received)) return this.badMac();
    }
    if (!this.explicitIv) this.chainedIv = ciphertext.slice(ciphertext.length - this.blockSize);
    this.seq++;
    return { ok: true, contentType: header[0]!, content };
  }

  private mac(header: Uint8Array, data: Uint8Array): Buffer {
    if (this.ssl3) return this.ssl3Mac(header, data);
    return createHmac(this.macHash, this.macKey).update(pseudoHeader(this.seq, header, data.length)).update(data).digest();
  }

  /** SSL 3.0 (RFC 6101 §5.2.3.1): hash(secret + pad_2 + hash(secret + pad_1 + seq + type + length + data)), SHA-1's pads 40 bytes. */
  private ssl3Mac(header: Uint8Array, data: Uint8Array): Buffer {
    const pseudo = pseudoHeader(this.seq, header, data.length);
    const seqTypeLength = concat(pseudo.subarray(0, 9), pseudo.subarray(11, 13));
    const inner = createHash('sha1').update(this.macKey).update(SSL3_PAD_1).update(seqTypeLength).update(data).digest();
    return createHash('sha1').update(this.macKey).update(SSL3_PAD_2).update(inner).digest();
  }

  private cbcDecrypt(iv: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    const decipher = createDecipheriv(this.cipher.algorithm, this.key, iv);
    decipher.setAutoPadding(false);
    const head = decipher.update(ciphertext);
    const tail = decipher.final();
    return tail.length === 0 ? head : concat(head, tail);
  }

  private badMac(): DecryptFailure {
    // Padding and MAC errors are one failure, as in TLS itself: with the wrong keys either may show first.
    return { ok: false, reason: 'bad-record-mac', message: `record ${this.seq} did not authenticate (padding or MAC) with the key log's ${this.suite.name} keys` };
  }
}

/** NULL suites: the record is its content followed by the HMAC (RFC 5246 §6.2.3.1 with the null cipher). */
class Tls12NullDecryptor extends Tls12Decryptor {
  readonly tagLength: number;

  constructor(
    suite: CipherSuiteParams,
    private readonly macKey: Uint8Array,
    private readonly macHash: HashName,
  ) {
    super(suite);
    this.tagLength = MAC_LENGTH[macHash];
  }

  decrypt(header: Uint8Array, fragment: Uint8Array): DecryptResult {
    const failure = checkSizes(header, fragment, this.tagLength, this.suite.name);
    if (failure !== null) return failure;
    const content = fragment.subarray(0, fragment.length - this.tagLength);
    const expected = createHmac(this.macHash, this.macKey).update(pseudoHeader(this.seq, header, content.length)).update(content).digest();
    if (!timingSafeEqual(expected, fragment.subarray(content.length))) {
      return { ok: false, reason: 'bad-record-mac', message: `record ${this.seq} did not authenticate with the key log's ${this.suite.name} MAC keys` };
    }
    this.seq++;
    return { ok: true, contentType: header[0]!, content };
  }
}
