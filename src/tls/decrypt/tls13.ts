import { inspect } from 'node:util';
import { openAead, xorSequence } from './aead.js';
import { cipherSuiteParams, type CipherSuiteParams } from './cipher-suites.js';
import { hashLength, hkdfExpandLabel } from './hkdf.js';
import type { Tls13Variant } from '../registry/protocol-versions.js';
import type { ConnectionSecrets, DecryptResult, RecordDecryptor } from './types.js';

/** TLSCiphertext.length limit in TLS 1.3 (RFC 8446 §5.2). */
const MAX_TLS13_CIPHERTEXT = 16384 + 256;

type AeadParams = CipherSuiteParams & { cipher: Exclude<CipherSuiteParams['cipher'], { kind: 'cbc' | 'null' }> };

export interface TrafficKeys {
  key: Uint8Array;
  iv: Uint8Array;
}

/**
 * How a TLS 1.3 variant protects its records, where it differs from RFC 8446: the HKDF label prefix and
 * whether the record header is the AEAD's additional data (from draft 25; empty before). Both are read from
 * Wireshark's TLS 1.3 draft support (packet-tls-utils.c) and the drafts themselves.
 */
export type RecordProtection = Pick<Tls13Variant, 'labelPrefix' | 'headerIsAdditionalData'> & {
  /** The KeyUpdate label is known ("traffic upd", from draft 20): a draft before it stops at a KeyUpdate. */
  keyUpdate: boolean;
};

export const RFC_8446_PROTECTION: RecordProtection = { labelPrefix: 'tls13 ', headerIsAdditionalData: true, keyUpdate: true };

export function recordProtectionOf(variant: Tls13Variant | null): RecordProtection {
  if (variant === null) return RFC_8446_PROTECTION;
  return { labelPrefix: variant.labelPrefix, headerIsAdditionalData: variant.headerIsAdditionalData, keyUpdate: variant.draft >= 20 };
}

const NO_ADDITIONAL_DATA = new Uint8Array(0);

/** [sender]_write_key and [sender]_write_iv from a traffic secret (RFC 8446 §7.3). */
export function tls13TrafficKeys(params: CipherSuiteParams, secret: Uint8Array, protection: RecordProtection = RFC_8446_PROTECTION): TrafficKeys {
  return {
    key: hkdfExpandLabel(params.prfHash, secret, 'key', new Uint8Array(0), params.keyLength, protection.labelPrefix),
    iv: hkdfExpandLabel(params.prfHash, secret, 'iv', new Uint8Array(0), params.ivLength, protection.labelPrefix),
  };
}

/** application_traffic_secret_N+1 (RFC 8446 §7.2). */
export function tls13NextTrafficSecret(hash: 'sha256' | 'sha384', secret: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, secret, 'traffic upd', new Uint8Array(0), hashLength(hash));
}

/** Decrypts one direction's records under one TLS 1.3 traffic secret. */
export class Tls13RecordDecryptor implements RecordDecryptor {
  private seq = 0n;
  private readonly keys: TrafficKeys;
  readonly tagLength: number;

  /** `firstSequence`: records already sent under this secret that the caller could not decrypt (0-RTT data). */
  constructor(
    private readonly params: AeadParams,
    secret: Uint8Array,
    firstSequence = 0,
    private readonly protection: RecordProtection = RFC_8446_PROTECTION,
  ) {
    this.keys = tls13TrafficKeys(params, secret, protection);
    this.tagLength = params.cipher.tagLength;
    this.seq = BigInt(firstSequence);
  }

  get sequence(): bigint {
    return this.seq;
  }

  // Printing or serialising a decryptor must not show its key and IV (they decrypt the capture).
  [inspect.custom](): string {
    return `Tls13RecordDecryptor { suite: ${this.params.name}, sequence: ${this.seq} }`;
  }

  toJSON(): { suite: string; sequence: string } {
    return { suite: this.params.name, sequence: this.seq.toString() };
  }

  decrypt(header: Uint8Array, fragment: Uint8Array): DecryptResult {
    if (header.length !== 5) return { ok: false, reason: 'bad-header', message: `expected a 5-byte record header, got ${header.length} bytes` };
    const tagLength = this.tagLength;
    if (fragment.length < tagLength + 1) {
      return { ok: false, reason: 'record-too-short', message: `a TLS 1.3 record needs at least ${tagLength + 1} bytes (content type and tag), found ${fragment.length}` };
    }
    if (fragment.length > MAX_TLS13_CIPHERTEXT) {
      return { ok: false, reason: 'record-too-long', message: `record of ${fragment.length} bytes exceeds the TLS 1.3 limit of ${MAX_TLS13_CIPHERTEXT}` };
    }
    const split = fragment.length - tagLength;
    const plain = openAead(
      this.params.cipher,
      this.keys.key,
      xorSequence(this.keys.iv, this.seq),
      this.protection.headerIsAdditionalData ? header : NO_ADDITIONAL_DATA,
      fragment.subarray(0, split),
      fragment.subarray(split),
    );
    if (plain === null) {
      return { ok: false, reason: 'bad-record-mac', message: `record ${this.seq} did not authenticate with the key log's ${this.params.name} traffic keys` };
    }
    this.seq++;
    // TLSInnerPlaintext: content, then the real content type, then any number of zero bytes of padding.
    let end = plain.length - 1;
    while (end >= 0 && plain[end] === 0) end--;
    if (end < 0) return { ok: false, reason: 'no-content-type', message: `record ${this.seq - 1n} decrypted to padding only (no inner content type)` };
    return { ok: true, contentType: plain[end]!, content: plain.subarray(0, end) };
  }
}

export type Tls13Side = 'client' | 'server';

/**
 * The record decryptors of one TLS 1.3 connection from its key log secrets. Each getter gives that phase's
 * decryptor (built on first use, then the same object), or null when the key log lacks that secret or its
 * length does not fit the suite's hash. The caller switches a direction from handshake to application keys after that
 * side's Finished, and calls nextApplication(side) on each KeyUpdate that side sends.
 */
export class Tls13KeySchedule {
  private readonly current: Record<Tls13Side, Uint8Array | null>;
  private readonly built = new Map<string, RecordDecryptor | null>();

  private constructor(
    readonly params: AeadParams,
    private readonly secrets: Readonly<ConnectionSecrets>,
    private readonly protection: RecordProtection,
  ) {
    this.current = { client: this.fitting(secrets.clientTrafficSecret0), server: this.fitting(secrets.serverTrafficSecret0) };
  }

  /** Null when the suite is not a TLS 1.3 suite that can be decrypted. `protection`: a draft's differences. */
  static create(suite: number, secrets: Readonly<ConnectionSecrets>, protection: RecordProtection = RFC_8446_PROTECTION): Tls13KeySchedule | null {
    const params = cipherSuiteParams(suite);
    if (params === undefined || !params.tls13 || params.cipher.kind === 'cbc' || params.cipher.kind === 'null') return null;
    return new Tls13KeySchedule(params as AeadParams, secrets, protection);
  }

  // The schedule holds the key log's traffic secrets: print the suite only.
  [inspect.custom](): string {
    return `Tls13KeySchedule { suite: ${this.params.name} }`;
  }

  toJSON(): { suite: string } {
    return { suite: this.params.name };
  }

  /**
   * 0-RTT data from the client (CLIENT_EARLY_TRAFFIC_SECRET), starting after the `alreadySent` early records
   * that went by before the suite was known (they precede the ServerHello). A new decryptor on each call.
   */
  clientEarly(alreadySent: number): RecordDecryptor | null {
    const secret = this.fitting(this.secrets.clientEarlyTrafficSecret);
    return secret === null ? null : new Tls13RecordDecryptor(this.params, secret, alreadySent, this.protection);
  }

  get clientHandshake(): RecordDecryptor | null {
    return this.phase('clientHandshake', this.secrets.clientHandshakeTrafficSecret);
  }

  get serverHandshake(): RecordDecryptor | null {
    return this.phase('serverHandshake', this.secrets.serverHandshakeTrafficSecret);
  }

  get clientApplication(): RecordDecryptor | null {
    return this.phase('clientApplication', this.secrets.clientTrafficSecret0);
  }

  get serverApplication(): RecordDecryptor | null {
    return this.phase('serverApplication', this.secrets.serverTrafficSecret0);
  }

  /**
   * After a KeyUpdate sent by `side`: the decryptor for that side's next application traffic secret. Each call
   * moves one generation on, so call it once per KeyUpdate.
   */
  nextApplication(side: Tls13Side): RecordDecryptor | null {
    const secret = this.current[side];
    if (secret === null || !this.protection.keyUpdate) return null;
    const next = tls13NextTrafficSecret(this.params.prfHash, secret);
    this.current[side] = next;
    return new Tls13RecordDecryptor(this.params, next, 0, this.protection);
  }

  private fitting(secret: Uint8Array | undefined): Uint8Array | null {
    return secret !== undefined && secret.length === hashLength(this.params.prfHash) ? secret : null;
  }

  private phase(name: string, secret: Uint8Array | undefined): RecordDecryptor | null {
    let decryptor = this.built.get(name);
    if (decryptor === undefined) {
      const fitting = this.fitting(secret);
      decryptor = fitting === null ? null : new Tls13RecordDecryptor(this.params, fitting, 0, this.protection);
      this.built.set(name, decryptor);
    }
    return decryptor;
  }
}
