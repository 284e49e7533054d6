/**
 * The TLS stage's driver for one TCP connection: it takes the TCP stage's bytes, lets detection decide where TLS
 * starts (detection.ts), frames records, decrypts them as each side's protection says (protection.ts), parses
 * the handshake and writes the connection's events (event-log.ts). --key/--psk follow key exchanges in
 * key-exchange.ts.
 */
import type { CloseEvent as TcpCloseEvent, Direction, StreamControl, StreamHandler, TcpConnectionInfo } from '../tcp/types.js';
import { TlsDetector, type Detection, type NonTlsFact } from './detection.js';
import { EventLog } from './event-log.js';
import type { TlsEvent } from './events.js';
import { TlsParseError } from './handshake/errors.js';
import { parseHandshakeMessage } from './handshake/parse.js';
import { parseSsl2ClientHello } from './handshake/sslv2-client-hello.js';
import type { ClientHello, HandshakeMessage, ServerHello } from './handshake/types.js';
import { KeyExchangeFollower, type KeySource, type OpenedKeys } from './key-exchange.js';
import type { KeyProvider, Tls12Keys, Tls13Keys } from './keys.js';
import type { UpgradeProtocol, UpgradeRefusal } from './preamble.js';
import { SideProtection, type Protection } from './protection.js';
import { HandshakeAssembler, type HandshakeMessageBytes } from './record/handshake-assembler.js';
import { RecordStream } from './record/record-stream.js';
import { ContentType, type RecordLayerError, type TlsRecord } from './record/types.js';
import { PROTOCOL_VERSION_NAMES, protocolOf, TLS_1_3, tls13Variant } from './registry/protocol-versions.js';
import type { Side } from './side.js';
import { errorMessage } from '../util/errors.js';

export { classifyFirstBytes, type Detection, type NonTlsFact } from './detection.js';
export { httpFirstLine } from './event-log.js';

/** Largest SSLv2-compatible ClientHello kept (its 15-bit length allows 32 KiB). */
const MAX_SSL2_HELLO = 32 * 1024;
/** Gaps listed per connection (a lossy capture can have thousands; the first ones tell the story). */
const MAX_GAPS_KEPT = 64;

/** Everything one TCP connection showed at the TLS level, for the model and the rules. */
export interface TlsConnection {
  tcp: TcpConnectionInfo;
  /** The TCP direction that carries the client's bytes (the ClientHello sender's). */
  clientDirection: Direction;
  detection: Detection;
  events: TlsEvent[];
  clientHello: ClientHello | null;
  serverHello: ServerHello | null;
  /**
   * Negotiated protocol (from ServerHello), null before it. TLS 1.3 drafts and experiments count as TLS 1.3
   * (0x0304) here, for they run its handshake; serverHello.effectiveVersion keeps the version on the wire.
   */
  version: number | null;
  cipherSuite: number | null;
  /** A key log was consulted and held secrets for this connection. */
  keysFound: boolean;
  /** What the keys came from: the key log (or pcapng secrets), the server's private key (--key), a PSK (--psk). */
  keysFrom: KeySource | null;
  /** Some record failed to authenticate with the keys found (reported once). */
  keyMismatch: { side: Side; frame: number; reason: string } | null;
  applicationBytes: { client: number; server: number };
  applicationRecords: { client: number; server: number };
  /** Runs of application data from one side: 3 means client, server, client again (a conversation went on). */
  applicationTurns: number;
  /** Frames whose packets the snaplen cut, and lost-bytes gaps: capture quality. */
  gaps: Array<{ side: Side; frame: number; missing: number; inHandshake: boolean }>;
  /** The protocol whose plaintext came before TLS (STARTTLS, SOCKS, CONNECT), or null for direct TLS. */
  upgradedFrom: UpgradeProtocol | null;
  /** The client asked for TLS (STARTTLS, SSLRequest …) and the server refused: TLS never started. */
  upgradeRefused: (UpgradeRefusal & { frame: number; time: number }) | null;
  /** One side did not speak TLS (TLS sent to a plaintext port, or plaintext to a TLS port); null otherwise. */
  nonTls: NonTlsFact | null;
  /**
   * The first reason tlsdiag itself could not read what was sent — one of its own limits (named), or a protocol
   * variant it does not know — or null. Not a fault of the peers: their malformed bytes are parse errors.
   */
  notUnderstood: string | null;
}

interface SideState {
  readonly side: Side;
  records: RecordStream | null;
  assembler: HandshakeAssembler;
  protection: SideProtection;
  /** Buffer for an SSLv2-compatible ClientHello, whose header is not a TLS record header. */
  ssl2: Uint8Array | null;
  ssl2Filled: number;
}

/**
 * Drives the record layer, decryption and message parsers for one TCP connection and collects its events.
 * It is the StreamHandler the TCP stage feeds; `onEnd` receives the finished connection.
 */
export class TlsConnectionTracker implements StreamHandler {
  /** Made on first use, like the side states: a connection without a byte holds only this tracker. */
  private made: TlsConnection | null = null;
  /** Made with the first byte or gap. */
  private detector: TlsDetector | null = null;
  /** Made on first use: a connection that never carries a byte (a SYN flood) costs no record-layer state. */
  private sideStates: [SideState, SideState] | null = null;
  private eventLog: EventLog | null = null;
  private tls13Keys: Tls13Keys | null = null;
  private handshakeOver = false;
  /** --key/--psk given: follows TLS 1.0-1.2 key exchanges (made on the first handshake message). */
  private keyExchange: KeyExchangeFollower | null = null;

  constructor(
    private readonly info: TcpConnectionInfo,
    private readonly control: StreamControl,
    private readonly keys: KeyProvider | null,
    private readonly onEnd: (connection: TlsConnection) => void,
  ) {}

  get connection(): TlsConnection {
    return (this.made ??= {
      tcp: this.info,
      clientDirection: 0,
      detection: 'pending',
      events: [],
      clientHello: null,
      serverHello: null,
      version: null,
      cipherSuite: null,
      keysFound: false,
      keysFrom: null,
      keyMismatch: null,
      applicationBytes: { client: 0, server: 0 },
      applicationRecords: { client: 0, server: 0 },
      gaps: [],
      upgradedFrom: null,
      upgradeRefused: null,
      nonTls: null,
      notUnderstood: null,
      applicationTurns: 0,
    });
  }

  /** Where a side's protection stands (test/tls/connection.test.ts reads it); null before the connection's first byte. */
  protection(side: Side): Protection | null {
    return this.sideStates?.[side === 'client' ? 0 : 1].protection.current ?? null;
  }

  private get detection(): TlsDetector {
    return (this.detector ??= new TlsDetector(this.connection, this.control, {
      carried: (direction, bytes, frame, time) => this.sideFor(direction).records?.push(bytes, frame, time),
      ssl2Hello: (direction) => {
        this.sideFor(direction).ssl2 = new Uint8Array(0);
      },
    }));
  }

  private get sides(): [SideState, SideState] {
    return (this.sideStates ??= [this.newSide('client'), this.newSide('server')]);
  }

  private get events(): EventLog {
    return (this.eventLog ??= new EventLog(this.connection));
  }

  data(direction: Direction, data: Uint8Array, frame: number, time: number): void {
    const tls = this.detection.accept(direction, data, frame, time);
    if (tls === null) return;
    const state = this.sideFor(direction);
    if (state.ssl2 !== null) {
      this.pushSsl2(state, tls, frame, time);
      return;
    }
    state.records?.push(tls, frame, time);
  }

  gap(direction: Direction, missing: number, frame: number, time: number, ownLimit?: string): void {
    this.detection.gap(direction);
    if (ownLimit !== undefined && this.connection.detection === 'tls') this.notUnderstood(ownLimit);
    const side: Side = direction === this.connection.clientDirection ? 'client' : 'server';
    const inHandshake = !this.handshakeOver;
    if (this.connection.gaps.length < MAX_GAPS_KEPT) this.connection.gaps.push({ side, frame, missing, inHandshake });
    if (this.connection.detection !== 'tls') return;
    const state = this.sideFor(direction);
    this.events.gap(state.side, frame, time, missing, inHandshake);
    state.records?.gap(missing, frame, time);
  }

  close(event: TcpCloseEvent): void {
    if (this.connection.detection !== 'tls') return;
    const side = this.sideFor(event.direction).side;
    this.events.close(side, event.frame, event.time, event.kind);
  }

  end(info: TcpConnectionInfo): void {
    this.connection.tcp = info;
    // A connection that never carried a byte has no side states to finish (none are made for it).
    if (this.sideStates !== null) this.events.end();
    this.detector?.end();
    this.onEnd(this.connection);
    // The TCP stage keeps an ended connection's handler a while (its recently-ended list answers late segments):
    // drop what this tracker made, so a flood of connections that never carried a byte does not keep them all.
    this.made = null;
    this.detector = null;
    this.sideStates = null;
    this.eventLog = null;
    this.tls13Keys = null;
    this.keyExchange = null;
  }

  private newSide(side: Side): SideState {
    const state: SideState = {
      side,
      records: null,
      assembler: new HandshakeAssembler(
        (m) => this.onHandshakeMessage(state, m),
        (e) => this.onRecordError(state, e),
      ),
      protection: new SideProtection(),
      ssl2: null,
      ssl2Filled: 0,
    };
    state.records = new RecordStream(
      {
        record: (r) => this.onRecord(state, r),
        gap: () => undefined,
        error: (e) => this.onRecordError(state, e),
      },
      (contentType) => this.keepBody(state, contentType),
    );
    return state;
  }

  private sideFor(direction: Direction): SideState {
    return direction === this.connection.clientDirection ? this.sides[0] : this.sides[1];
  }

  /** Bodies are kept for what we parse or decrypt; application data without keys is only counted. */
  private keepBody(state: SideState, contentType: number): boolean {
    if (contentType !== ContentType.applicationData) return true;
    // TLS 1.3 handshake records travel as application data: without keys they are only counted too.
    return state.protection.decryptor !== null;
  }

  private pushSsl2(state: SideState, data: Uint8Array, frame: number, time: number): void {
    let buffer = state.ssl2!;
    if (state.ssl2Filled + data.length > buffer.length) {
      const grown = new Uint8Array(Math.min(MAX_SSL2_HELLO + 2, state.ssl2Filled + data.length));
      grown.set(buffer.subarray(0, state.ssl2Filled));
      buffer = grown;
      state.ssl2 = grown;
    }
    const take = Math.min(data.length, buffer.length - state.ssl2Filled);
    buffer.set(data.subarray(0, take), state.ssl2Filled);
    state.ssl2Filled += take;
    if (state.ssl2Filled < 2) return;
    const length = (((buffer[0]! & 0x7f) << 8) | buffer[1]!) + 2;
    if (state.ssl2Filled < length) {
      if (state.ssl2Filled >= MAX_SSL2_HELLO + 2) {
        const reason = `an SSLv2 ClientHello of ${length} bytes is larger than tlsdiag's limit of ${MAX_SSL2_HELLO} bytes`;
        this.notUnderstood(reason);
        this.events.parseError(state.side, frame, time, reason);
        state.ssl2 = null;
        state.records?.stop();
      }
      return;
    }
    const record = buffer.slice(0, length);
    const rest = buffer.slice(length, state.ssl2Filled);
    state.ssl2 = null;
    try {
      const hello = parseSsl2ClientHello(record);
      this.connection.clientHello = hello;
      this.events.handshake({ side: state.side, frame, firstFrame: frame, time, message: hello, decrypted: false });
    } catch (error) {
      this.events.parseError(state.side, frame, time, errorMessage(error));
    }
    if (rest.length > 0) state.records?.push(rest, frame, time);
  }

  private onRecord(state: SideState, record: TlsRecord): void {
    let contentType = record.contentType;
    let content = record.fragment;
    let decrypted = false;
    const protection = state.protection.current;
    if (protection.state === 'plain' && contentType === ContentType.applicationData && this.sendsEarlyData(state) && this.connection.serverHello === null) {
      this.events.earlyData(state.side, record, null);
      return;
    }
    const encrypted = protection.state !== 'plain' && contentType !== ContentType.changeCipherSpec;
    if (encrypted) {
      if (protection.state === 'opaque' || content === null) {
        this.onUnreadRecord(state, record);
        return;
      }
      const result = protection.decryptor.decrypt(record.header, content);
      if (!result.ok && !protection.opened && this.sendsEarlyData(state)) {
        // 0-RTT records the server did not accept (or that we have no early secret for) come before the
        // client's first handshake record; the server skips them too (RFC 8446 §4.2.10).
        this.events.earlyData(state.side, record, null);
        return;
      }
      if (!result.ok) {
        this.noteKeyMismatch(state, record, result.reason);
        state.protection.failed();
        this.onUnreadRecord(state, record);
        return;
      }
      contentType = result.contentType;
      content = result.content;
      decrypted = true;
      state.protection.decrypted();
    }
    switch (contentType) {
      case ContentType.handshake:
        if (content !== null) state.assembler.push(content, record.frame, record.time, record.streamOffset);
        break;
      case ContentType.alert:
        this.events.alerts(state.side, record, content, decrypted);
        break;
      case ContentType.changeCipherSpec:
        this.events.changeCipherSpec(state.side, record);
        this.onChangeCipherSpec(state);
        break;
      case ContentType.applicationData:
        if (state.protection.current.state === 'early') {
          this.events.earlyData(state.side, record, content);
        } else {
          this.handshakeOver = true;
          this.events.applicationData(state.side, record, content, decrypted);
        }
        break;
      default:
        break;
    }
  }

  /** A record no key opened: TLS 1.0-1.2 still show its type; TLS 1.3 hides it. */
  private onUnreadRecord(state: SideState, record: TlsRecord): void {
    const tls13 = this.connection.version === TLS_1_3;
    if (!tls13 && record.contentType === ContentType.applicationData) {
      this.handshakeOver = true;
      this.events.applicationData(state.side, record, null, false);
      return;
    }
    if (!tls13 && record.contentType === ContentType.alert) {
      this.events.unreadAlert(state.side, record);
      return;
    }
    const probableFinished = !tls13 && record.contentType === ContentType.handshake && !state.protection.finished;
    if (probableFinished) state.protection.finishUnread();
    this.events.unreadRecord(state.side, record, tls13, probableFinished);
  }

  /** The client offered 0-RTT data in a TLS 1.3 ClientHello (early_data extension). */
  private sendsEarlyData(state: SideState): boolean {
    const version = this.connection.version;
    return state.side === 'client' && this.connection.clientHello?.earlyData === true && (version === null || version === TLS_1_3);
  }

  private onChangeCipherSpec(state: SideState): void {
    const conn = this.connection;
    // Middlebox compatibility CCS (RFC 8446 §D.4): no key change. A client sends one right after its
    // ClientHello when it sends 0-RTT data, or after a HelloRetryRequest before its second ClientHello: no CCS
    // changes keys before the (real) ServerHello.
    if (conn.version === TLS_1_3 || conn.serverHello === null || conn.serverHello.type === 'HelloRetryRequest') return;
    state.protection.changeCipherSpec();
    state.assembler.reset();
  }

  private onHandshakeMessage(state: SideState, bytes: HandshakeMessageBytes): void {
    const conn = this.connection;
    let message: HandshakeMessage;
    try {
      message = parseHandshakeMessage(bytes.msgType, bytes.body, {
        version: conn.version ?? undefined,
        cipherSuite: conn.cipherSuite ?? undefined,
        isServer: state.side === 'server',
      });
    } catch (error) {
      const reason = errorMessage(error);
      if (error instanceof TlsParseError && error.ownLimit) this.notUnderstood(`${reason}: a limit of tlsdiag's, not of the protocol`);
      else if (bytes.msgType === 2) this.checkServerHelloVariant(bytes.body, reason);
      this.events.parseError(state.side, bytes.frame, bytes.time, reason);
      return;
    }
    const decrypted = state.protection.decryptor !== null;
    this.events.handshake({ side: state.side, frame: bytes.frame, firstFrame: bytes.firstFrame, time: bytes.time, message, decrypted });
    if (this.keys?.exchange !== undefined) {
      this.keyExchange ??= new KeyExchangeFollower(this.keys.exchange);
      const opened = this.keyExchange.message(state.side, bytes, message);
      if (opened !== null) this.expectKeys(opened);
    }
    switch (message.type) {
      case 'ClientHello':
        if (conn.clientHello === null || decrypted) conn.clientHello = message;
        break;
      case 'ServerHello':
        this.onServerHello(message);
        break;
      case 'HelloRetryRequest':
        if (conn.serverHello === null) conn.serverHello = message;
        break;
      case 'EncryptedExtensions':
        if (message.earlyData === true) this.onEarlyDataAccepted();
        break;
      case 'EndOfEarlyData':
        // The client's next records use its handshake traffic secret.
        state.protection.endOfEarlyData(this.tls13Keys?.clientHandshake ?? null);
        break;
      case 'Finished':
        this.onFinished(state);
        break;
      case 'KeyUpdate': {
        const keys = this.tls13Keys;
        if (keys !== null) state.protection.keyUpdate(() => keys.nextApplication(state.side));
        break;
      }
      default:
        break;
    }
  }

  private onServerHello(hello: ServerHello): void {
    const conn = this.connection;
    const renegotiation = conn.serverHello !== null && conn.serverHello.type === 'ServerHello';
    conn.serverHello = hello;
    conn.version = protocolOf(hello.effectiveVersion);
    conn.cipherSuite = hello.cipherSuite;
    if (!isKnownVersion(hello.effectiveVersion)) {
      this.notUnderstood(`the ServerHello chose version ${hex16(hello.effectiveVersion)}, a TLS variant tlsdiag does not know`);
    }
    const clientHello = conn.clientHello;
    const [client, server] = this.sides;
    if (conn.version === TLS_1_3) {
      // From here on both sides encrypt their handshake (RFC 8446 §2); so do the drafts and experiments.
      const variant = tls13Variant(hello.effectiveVersion);
      const keys = clientHello && this.keys ? this.keys.tls13(clientHello.random, hello.cipherSuite, variant) : null;
      if (keys) this.keysFoundIn('key-log');
      this.keyExchange?.stop(); // --key/--psk open TLS 1.0-1.2 key exchanges only
      this.tls13Keys = keys;
      server.protection.startEncrypting(keys?.serverHandshake ?? null);
      client.protection.startEncrypting(keys?.clientHandshake ?? null);
      return;
    }
    if (!clientHello || !this.keys) {
      client.protection.expectChangeCipherSpec('opaque');
      server.protection.expectChangeCipherSpec('opaque');
      return;
    }
    const keys = this.keys.tls12({
      clientRandom: clientHello.random,
      serverRandom: hello.random,
      cipherSuite: hello.cipherSuite,
      version: hello.effectiveVersion,
      encryptThenMac: clientHello.encryptThenMac === true && hello.encryptThenMac === true,
    });
    if (keys) {
      this.keyExchange?.stop();
      this.keysFoundIn('key-log');
    }
    // No key log secret: a session opened before by --key/--psk is resumed now; a full handshake waits for its
    // ClientKeyExchange.
    const opened: Tls12Keys | null = keys ?? this.resumeFromExchange(hello, clientHello);
    client.protection.expectChangeCipherSpec(opened?.client ?? 'opaque');
    server.protection.expectChangeCipherSpec(opened?.server ?? 'opaque');
    if (renegotiation) this.handshakeOver = false;
  }

  private resumeFromExchange(hello: ServerHello, clientHello: ClientHello): Tls12Keys | null {
    if (this.keys?.exchange === undefined) return null;
    this.keyExchange ??= new KeyExchangeFollower(this.keys.exchange);
    const opened = this.keyExchange.serverHello(hello, clientHello);
    if (opened === null) return null;
    this.keysFoundIn(opened.source);
    return opened.keys;
  }

  /** --key/--psk opened the session at the ClientKeyExchange: both sides switch at their ChangeCipherSpec. */
  private expectKeys(opened: OpenedKeys): void {
    this.keysFoundIn(opened.source);
    const [client, server] = this.sides;
    client.protection.expectChangeCipherSpec(opened.keys.client);
    server.protection.expectChangeCipherSpec(opened.keys.server);
  }

  private keysFoundIn(source: KeySource): void {
    this.connection.keysFound = true;
    this.connection.keysFrom ??= source;
  }

  /** The server's EncryptedExtensions accepted 0-RTT: the client's records are early data until EndOfEarlyData. */
  private onEarlyDataAccepted(): void {
    const keys = this.tls13Keys;
    if (keys === null) return;
    // No early secret: the early records fail to decrypt and are skipped as such.
    this.sides[0].protection.acceptEarlyData(() => keys.clientEarly(this.events.earlyRecords('client')));
  }

  private onFinished(state: SideState): void {
    if (this.connection.version === TLS_1_3) {
      // The side's next records use its application traffic secret.
      const keys = this.tls13Keys;
      state.protection.finish({ application: (state.side === 'client' ? keys?.clientApplication : keys?.serverApplication) ?? null });
    } else {
      state.protection.finish();
    }
    const [client, server] = this.sides;
    if (client.protection.finished && server.protection.finished) this.handshakeOver = true;
  }

  private noteKeyMismatch(state: SideState, record: TlsRecord, reason: string): void {
    if (this.connection.keyMismatch === null) {
      this.connection.keyMismatch = { side: state.side, frame: record.frame, reason };
    }
  }

  private onRecordError(state: SideState, error: RecordLayerError): void {
    if (error.code === 'handshake-too-long') this.notUnderstood(error.message);
    this.events.parseError(state.side, error.frame, 0, error.message);
  }

  /** Keeps the first reason tlsdiag could not read the connection (docs/output.md `notUnderstood`). */
  private notUnderstood(reason: string): void {
    this.connection.notUnderstood ??= reason;
  }

  /**
   * A ServerHello that did not parse: when its version field is no version tlsdiag knows (a TLS 1.3 draft before
   * 14, another experiment), the layout is unknown rather than malformed.
   */
  private checkServerHelloVariant(body: Uint8Array, reason: string): void {
    if (body.length < 2) return;
    const version = (body[0]! << 8) | body[1]!;
    if (!isKnownVersion(version)) this.notUnderstood(`ServerHello version ${hex16(version)} is a TLS variant tlsdiag does not know (${reason})`);
  }
}

/**
 * False for a version of the experimental families (0x7fXX TLS 1.3 drafts, 0x7eXX Google experiments, 0xfbXX
 * Facebook drafts) that tlsdiag cannot read: a variant it does not know. Any other version is judged by the
 * parsers (a peer's malformed bytes stay parse errors).
 */
function isKnownVersion(version: number): boolean {
  const family = version >> 8;
  if (family !== 0x7f && family !== 0x7e && family !== 0xfb) return true;
  return PROTOCOL_VERSION_NAMES[version] !== undefined || tls13Variant(version) !== null;
}

function hex16(value: number): string {
  return `0x${value.toString(16).padStart(4, '0')}`;
}
