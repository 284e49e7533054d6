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
}
