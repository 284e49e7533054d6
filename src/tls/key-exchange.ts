/**
 * --key/--psk on one connection: follows a TLS 1.0-1.2 handshake that no key log opened (its transcript, the
 * server's certificate, its ClientKeyExchange) and opens the session from the key exchange, or resumes one
 * opened so before.
 */
import type { HandshakeMessageBytes } from './record/handshake-assembler.js';
import type { ClientHello, HandshakeMessage, ServerHello } from './handshake/types.js';
import type { KeyExchangeOpener, KeyExchangeParams, Tls12Keys } from './keys.js';
import { cipherSuiteKeyExchange } from './registry/key-exchange.js';
import type { Side } from './side.js';
import { sameBytes } from '../util/bytes.js';

/**
 * Key exchanges opened per connection with --key/--psk (each costs an RSA private-key operation): a hostile
 * capture renegotiating without end must not buy unbounded CPU time with a few hundred bytes a handshake.
 */
const MAX_KEY_EXCHANGES_OPENED = 16;
/** Handshake bytes kept for extended_master_secret while a private key or PSK may open the session. */
const MAX_TRANSCRIPT_BYTES = 256 * 1024;

export type KeySource = 'key-log' | 'private-key' | 'psk';

/** Keys opened by --key/--psk, and which of the two opened them. */
export interface OpenedKeys {
  keys: Tls12Keys;
  source: 'private-key' | 'psk';
}

export class KeyExchangeFollower {
  /** The handshake messages since the last ClientHello, with headers (extended_master_secret). */
  private transcript: Uint8Array[] | null = null;
  private transcriptBytes = 0;
  /** The ServerHello's parameters, waiting for the ClientKeyExchange. */
  private awaitingKeyExchange: (KeyExchangeParams & { extendedMasterSecret: boolean; sessionId: Uint8Array }) | null = null;
  /** The server's last leaf certificate (DER), for the private key that matches it. */
  private serverLeaf: Uint8Array | null = null;
  private keyExchangesOpened = 0;

  constructor(private readonly exchange: KeyExchangeOpener) {}

  /** The keys come from elsewhere (a key log, or TLS 1.3, which --key/--psk do not open): no transcript kept. */
  stop(): void {
    this.transcript = null;
  }

  /**
   * A TLS 1.0-1.2 ServerHello no key log opened: a resumed session opened before is opened now; a full
   * handshake waits for its ClientKeyExchange (message).
   */
  serverHello(hello: ServerHello, clientHello: ClientHello): OpenedKeys | null {
    this.awaitingKeyExchange = null;
    if (!this.exchange.canOpen(hello.cipherSuite)) {
      this.transcript = null;
      return null;
    }
    const params: KeyExchangeParams = {
      clientRandom: clientHello.random,
      serverRandom: hello.random,
      cipherSuite: hello.cipherSuite,
      version: hello.effectiveVersion,
      encryptThenMac: clientHello.encryptThenMac === true && hello.encryptThenMac === true,
    };
    const resumed = hello.sessionId.length > 0 && sameBytes(hello.sessionId, clientHello.sessionId);
    if (resumed) {
      this.transcript = null;
      const keys = this.exchange.resume({ ...params, sessionId: hello.sessionId });
      return keys && { keys, source: exchangeSource(hello.cipherSuite) };
    }
    this.awaitingKeyExchange = {
      ...params,
      extendedMasterSecret: clientHello.extendedMasterSecret === true && hello.extendedMasterSecret === true,
      sessionId: hello.sessionId.slice(),
    };
    return null;
  }

  /** Each handshake message: kept in the transcript; the ClientKeyExchange opens the session when it can. */
  message(side: Side, bytes: HandshakeMessageBytes, message: HandshakeMessage): OpenedKeys | null {
    if (message.type === 'ClientHello') {
      this.transcript = [];
      this.transcriptBytes = 0;
    }
    if (this.transcript !== null && bytes.msgType !== 0) {
      const length = bytes.body.length;
      const header = Uint8Array.of(bytes.msgType, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff);
      this.transcript.push(header, bytes.body.slice());
      this.transcriptBytes += 4 + length;
      if (this.transcriptBytes > MAX_TRANSCRIPT_BYTES) this.transcript = null;
    }
    if (message.type === 'Certificate' && side === 'server') {
      const leaf = message.certificates[0]?.data;
      if (leaf !== undefined) {
        this.serverLeaf = leaf.slice();
        this.exchange.noteServerCertificate(this.serverLeaf);
      }
      return null;
    }
    if (message.type !== 'ClientKeyExchange' || side !== 'client' || this.awaitingKeyExchange === null) return null;
    const awaiting = this.awaitingKeyExchange;
    this.awaitingKeyExchange = null;
    if (this.keyExchangesOpened >= MAX_KEY_EXCHANGES_OPENED) {
      this.transcript = null;
      return null;
    }
    this.keyExchangesOpened++;
    const keys = this.exchange.open({
      ...awaiting,
      serverCertificate: this.serverLeaf,
      clientKeyExchange: message.raw,
      transcript: awaiting.extendedMasterSecret ? this.transcript : null,
    });
    this.transcript = null;
    return keys && { keys, source: exchangeSource(awaiting.cipherSuite) };
  }
}

/** What opened a TLS 1.2 key exchange without a key log: a PSK for the PSK suites, else the private key. */
function exchangeSource(cipherSuite: number): 'private-key' | 'psk' {
  const kx = cipherSuiteKeyExchange(cipherSuite);
  return kx === 'psk' || kx === 'rsa_psk' ? 'psk' : 'private-key';
}
