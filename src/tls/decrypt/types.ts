/**
 * Shapes shared by the key log and the record decryptors. They are structurally the ones src/tls/keys.ts asks
 * for, with a failure `reason` narrowed to stable codes and a `message` for people.
 */

/** Why a record could not be decrypted. `bad-record-mac` is the one that means "these are not the keys". */
export type DecryptFailureReason =
  /** The AEAD tag or the HMAC did not verify: wrong keys, wrong sequence number, or a corrupted record. */
  | 'bad-record-mac'
  /** The fragment is too short to hold the nonce/IV, tag or MAC this cipher needs. */
  | 'record-too-short'
  /** The fragment is longer than TLS allows for a protected record. */
  | 'record-too-long'
  /** CBC: ciphertext is not a whole number of blocks, or the padding bytes are inconsistent. */
  | 'bad-padding'
  /** TLS 1.3: the plaintext is all zeros, so it carries no inner content type. */
  | 'no-content-type'
  /** The header given is not 5 bytes. */
  | 'bad-header';

export interface DecryptSuccess {
  ok: true;
  /** The real content type: the inner one in TLS 1.3, the header's one in TLS 1.2 and older. */
  contentType: number;
  /** The plaintext (TLS 1.3: without padding and inner content type). Owned by the caller. */
  content: Uint8Array;
}

export interface DecryptFailure {
  ok: false;
  reason: DecryptFailureReason;
  /** One sentence for people; never holds key material or plaintext. */
  message: string;
}

export type DecryptResult = DecryptSuccess | DecryptFailure;

/**
 * Decrypts the protected records of one direction, in order. A record that fails leaves the decryptor as it
 * was (the sequence number does not advance), so a caller may try another decryptor on the same record (a
 * rejected 0-RTT record, keys that changed under it) and keep going. The one exception is `no-content-type`:
 * that record did authenticate, so the peer sent it and the sequence number moves past it.
 */
export interface RecordDecryptor {
  decrypt(header: Uint8Array, fragment: Uint8Array): DecryptResult;
  /** AEAD tag length, or MAC length for CBC suites; lets a caller tell an encrypted alert by its size. */
  readonly tagLength: number;
  /** Sequence number of the next record (number of records decrypted so far). */
  readonly sequence: bigint;
}

/** Everything a key log says about one connection, keyed by the ClientHello random. */
export interface ConnectionSecrets {
  clientRandom: Uint8Array;
  /** CLIENT_RANDOM: the TLS 1.2 (and older) master secret, 48 bytes. */
  masterSecret?: Uint8Array;
  clientEarlyTrafficSecret?: Uint8Array;
  clientHandshakeTrafficSecret?: Uint8Array;
  serverHandshakeTrafficSecret?: Uint8Array;
  clientTrafficSecret0?: Uint8Array;
  serverTrafficSecret0?: Uint8Array;
  exporterSecret?: Uint8Array;
  earlyExporterSecret?: Uint8Array;
}

export interface KeyLogWarning {
  /** 1-based line of the source text; 0 for a warning about the whole source (e.g. a limit reached). */
  line: number;
  message: string;
  /** The file name or 'pcapng DSB #n' the line came from, when the caller named it. */
  source?: string;
}
