/**
 * What the connection driver needs from decryption: per-direction record decryptors for the phases of a
 * handshake. The key log and the ciphers behind it live in src/tls/decrypt/.
 */
import type { Tls13Variant } from './registry/protocol-versions.js';

export type DecryptResult =
  | { ok: true; contentType: number; content: Uint8Array }
  | { ok: false; reason: string };

export interface RecordDecryptor {
  decrypt(header: Uint8Array, fragment: Uint8Array): DecryptResult;
  /** AEAD tag length, to tell an encrypted alert by its size. */
  readonly tagLength: number;
}

export interface Tls13Keys {
  /** 0-RTT data, after the `alreadySent` early records the caller could not decrypt; null without the secret. */
  clientEarly(alreadySent: number): RecordDecryptor | null;
  clientHandshake: RecordDecryptor | null;
  serverHandshake: RecordDecryptor | null;
  clientApplication: RecordDecryptor | null;
  serverApplication: RecordDecryptor | null;
  /** After a KeyUpdate from that side: the decryptor for its next traffic secret. */
  nextApplication(side: 'client' | 'server'): RecordDecryptor | null;
}

export interface Tls12Keys {
  client: RecordDecryptor;
  server: RecordDecryptor;
}

export interface KeyProvider {
  /** True when the key log holds any secret for this client random. */
  has(clientRandom: Uint8Array): boolean;
  /** `variant`: the TLS 1.3 draft or experiment the ServerHello chose (null for TLS 1.3 itself). */
  tls13(clientRandom: Uint8Array, cipherSuite: number, variant?: Tls13Variant | null): Tls13Keys | null;
  tls12(params: {
    clientRandom: Uint8Array;
    serverRandom: Uint8Array;
    cipherSuite: number;
    version: number;
    encryptThenMac: boolean;
  }): Tls12Keys | null;
  /** Number of connections the key log knows about, to say "keys given but none match". */
  readonly size: number;
  /** The server's private keys (--key) and PSKs (--psk): absent when none were given. */
  readonly exchange?: KeyExchangeOpener;
}

/** A TLS 1.0-1.2 handshake's parameters, as the ServerHello set them. */
export interface KeyExchangeParams {
  clientRandom: Uint8Array;
  serverRandom: Uint8Array;
  cipherSuite: number;
  version: number;
  encryptThenMac: boolean;
}

/**
 * Opens TLS 1.0-1.2 sessions from their key exchange rather than a key log: the RSA key exchange with the
 * server's private key, PSK suites with the pre-shared key (src/tls/decrypt/exchange.ts).
 */
export interface KeyExchangeOpener {
  /** Whether a key given may open this suite's key exchange: the driver then keeps the handshake transcript. */
  canOpen(cipherSuite: number): boolean;
  /** Every server certificate (leaf, DER) of the capture: tells which keys matched none. */
  noteServerCertificate(der: Uint8Array): void;
  /**
   * Decryptors from the client's ClientKeyExchange body. `transcript` (each handshake message with its
   * header, ClientHello through ClientKeyExchange) is given when extended_master_secret was negotiated.
   * A session opened here is remembered by `sessionId` for a later abbreviated handshake.
   */
  open(
    params: KeyExchangeParams & {
      serverCertificate: Uint8Array | null;
      clientKeyExchange: Uint8Array;
      transcript: Uint8Array[] | null;
      sessionId: Uint8Array;
    },
  ): Tls12Keys | null;
  /** An abbreviated handshake resuming a session opened here before (its session id). */
  resume(params: KeyExchangeParams & { sessionId: Uint8Array }): Tls12Keys | null;
}
