import type { Side } from '../model/types.js';
import type { CloseEvent as TcpCloseEvent, Direction, StreamControl, StreamHandler, TcpConnectionInfo } from '../tcp/types.js';
import type { TlsEvent } from './events.js';
import { TlsParseError } from './handshake/errors.js';
import { parseHandshakeMessage } from './handshake/parse.js';
import { parseSsl2ClientHello } from './handshake/sslv2-client-hello.js';
import type { ClientHello, HandshakeMessage, ServerHello } from './handshake/types.js';
import type { KeyProvider, RecordDecryptor, Tls13Keys } from './keys.js';
import { HandshakeAssembler, type HandshakeMessageBytes } from './record/handshake-assembler.js';
import { RecordStream } from './record/record-stream.js';
import { ContentType, type RecordLayerError, type TlsRecord } from './record/types.js';
import { findUpgradeRefusal, identifyUpgrade, PlaintextPreamble, type UpgradeProtocol, type UpgradeRefusal } from './preamble.js';
import { TLS_1_3 } from './registry/protocol-versions.js';

/** Encrypted records logged one by one per side before they are only counted. */
const MAX_LOGGED_ENCRYPTED_RECORDS = 12;
/** Largest SSLv2-compatible ClientHello kept (its 15-bit length allows 32 KiB). */
const MAX_SSL2_HELLO = 32 * 1024;
const GCM_TAG_LENGTH = 16;
/** Gaps listed per connection (a lossy capture can have thousands; the first ones tell the story). */
const MAX_GAPS_KEPT = 64;

export type Detection = 'pending' | 'tls' | 'not-tls';

/** Everything one TCP connection showed at the TLS level, for the model and the rules. */
export interface TlsConnection {
  tcp: TcpConnectionInfo;
  /** The TCP direction that carries the client's bytes (the ClientHello sender's). */
  clientDirection: Direction;
  detection: Detection;
  events: TlsEvent[];
  clientHello: ClientHello | null;
  serverHello: ServerHello | null;
  /** Negotiated protocol version (from ServerHello), null before it. */
  version: number | null;
  cipherSuite: number | null;
  /** A key log was consulted and held secrets for this connection. */
  keysFound: boolean;
  /** Some record failed to authenticate with the keys found (reported once). */
  keyMismatch: { side: Side; frame: number; reason: string } | null;
  applicationBytes: { client: number; server: number };
  applicationRecords: { client: number; server: number };
  /** Runs of application data from one side: 3 means client, server, client again (a conversation went on). */
  applicationTurns: number;
  /** The side of the last application-data record (for applicationTurns). */
  lastApplicationSide: Side | null;
  /** Frames whose packets the snaplen cut, and lost-bytes gaps: capture quality. */
  gaps: Array<{ side: Side; frame: number; missing: number; inHandshake: boolean }>;
  /** The protocol whose plaintext came before TLS (STARTTLS, SOCKS, CONNECT), or null for direct TLS. */
  upgradedFrom: UpgradeProtocol | null;
  /** The client asked for TLS (STARTTLS, SSLRequest …) and the server refused: TLS never started. */
  upgradeRefused: (UpgradeRefusal & { frame: number; time: number }) | null;
}

interface SideState {
  readonly side: Side;
  records: RecordStream | null;
  assembler: HandshakeAssembler;
  /** 'plain' before encryption; 'opaque' when encrypted without keys; else the decryptor in use. */
  protection: 'plain' | 'opaque' | RecordDecryptor;
  /** TLS 1.2: the decryptor to switch to at this side's next ChangeCipherSpec. */
  pending: RecordDecryptor | 'opaque' | null;
  sentFinished: boolean;
  loggedEncrypted: number;
  /** Client: 0-RTT records seen (before the ServerHello, or skipped after it when they do not decrypt). */
  earlyRecords: number;
  /** A record of this side decrypted: a later failure is a key mismatch, not skipped early data. */
  decryptedAny: boolean;
  /** Client: `protection` holds the 0-RTT keys (the server accepted early data), until EndOfEarlyData. */
  early: boolean;
  sawApplicationData: boolean;
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
  /** Made on first use: a connection that never carries a byte (a SYN flood) costs no record-layer state. */
  private sideStates: [SideState, SideState] | null = null;
  private tls13Keys: Tls13Keys | null = null;
  private handshakeOver = false;
  /** Set while the connection starts with another protocol's plaintext. */
  private preamble: PlaintextPreamble | null = null;
  /** Where each direction's plaintext last came (the server's refusal of an upgrade is in it). */
  private lastPlaintext: [{ frame: number; time: number } | null, { frame: number; time: number } | null] | null = null;
  /** Per direction (bit 1 << direction): TLS began after the preamble. */
  private tlsStarted = 0;

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
      keyMismatch: null,
      applicationBytes: { client: 0, server: 0 },
      applicationRecords: { client: 0, server: 0 },
      gaps: [],
      upgradedFrom: null,
      upgradeRefused: null,
      applicationTurns: 0,
      lastApplicationSide: null,
    });
  }

  private get sides(): [SideState, SideState] {
    return (this.sideStates ??= [this.newSide('client'), this.newSide('server')]);
  }

  data(direction: Direction, data: Uint8Array, frame: number, time: number): void {
    const conn = this.connection;
    if (conn.detection === 'not-tls') return;
    if (conn.detection === 'pending') {
      const kind = this.preamble === null ? classifyFirstBytes(data) : 'other';
      if (kind === 'other') {
        this.scanPreamble(direction, data, frame, time);
        return;
      }
      conn.detection = 'tls';
      conn.clientDirection = clientDirectionFrom(kind, data, direction);
      if (kind === 'ssl2') this.sideFor(direction).ssl2 = new Uint8Array(0);
    } else if (this.preamble !== null && (this.tlsStarted & (1 << direction)) === 0) {
      // The other side of an upgraded connection: its bytes are TLS from its first record after the upgrade.
      const start = classifyFirstBytes(data) === 'tls' ? { carry: new Uint8Array(0), data, offset: 0 } : this.preamble.push(direction, data);
      if (start === null) return;
      this.tlsStarted |= 1 << direction;
      if (start.carry.length > 0) this.sideFor(direction).records?.push(start.carry, frame, time);
      data = start.data.subarray(start.offset);
    }
    const state = this.sideFor(direction);
    if (state.ssl2 !== null) {
      this.pushSsl2(state, data, frame, time);
      return;
    }
    state.records?.push(data, frame, time);
  }

  /** Looks for TLS after another protocol's plaintext (STARTTLS, SOCKS, CONNECT); gives up after a bounded scan. */
  private scanPreamble(direction: Direction, data: Uint8Array, frame: number, time: number): void {
    const conn = this.connection;
    this.preamble ??= new PlaintextPreamble();
    (this.lastPlaintext ??= [null, null])[direction] = { frame, time };
    const start = this.preamble.push(direction, data);
    if (start === null) {
      if (this.preamble.exhausted) {
        conn.detection = 'not-tls';
        this.preamble = null;
        this.control.ignore(0);
        this.control.ignore(1);
      }
      return;
    }
    conn.detection = 'tls';
    conn.clientDirection = start.messageType === 1 ? direction : ((1 - direction) as Direction);
    const clientPrefix = this.preamble.prefix(conn.clientDirection);
    const serverPrefix = this.preamble.prefix((1 - conn.clientDirection) as Direction);
    conn.upgradedFrom = identifyUpgrade(clientPrefix, serverPrefix);
    // A client may start TLS although the server refused the upgrade (openssl s_client -starttls does).
    const refusal = findUpgradeRefusal(clientPrefix, serverPrefix);
    if (refusal !== null && start.messageType === 1) {
      const serverDirection = (1 - conn.clientDirection) as Direction;
      conn.upgradeRefused = { ...refusal, ...(this.lastPlaintext?.[serverDirection] ?? { frame, time }) };
    }
    this.tlsStarted |= 1 << direction;
    const records = this.sideFor(direction).records;
    if (start.carry.length > 0) records?.push(start.carry, frame, time);
    records?.push(start.data.subarray(start.offset), frame, time);
  }

  gap(direction: Direction, missing: number, frame: number, time: number): void {
    const side: Side = direction === this.connection.clientDirection ? 'client' : 'server';
    const inHandshake = !this.handshakeOver;
    if (this.connection.gaps.length < MAX_GAPS_KEPT) this.connection.gaps.push({ side, frame, missing, inHandshake });
    if (this.connection.detection !== 'tls') return;
    const state = this.sideFor(direction);
    this.connection.events.push({ kind: 'gap', side: state.side, frame, time, missing, inHandshake });
    state.records?.gap(missing, frame, time);
  }

  close(event: TcpCloseEvent): void {
    if (this.connection.detection !== 'tls') return;
    const side = this.sideFor(event.direction).side;
    this.connection.events.push({ kind: 'close', side, frame: event.frame, time: event.time, closeKind: event.kind });
  }

  end(info: TcpConnectionInfo): void {
    this.connection.tcp = info;
    if (this.connection.detection === 'pending' && this.preamble !== null) this.checkRefusedUpgrade();
    this.onEnd(this.connection);
  }

  /** The connection ended in plaintext: a refused STARTTLS still makes it a (failed) TLS connection. */
  private checkRefusedUpgrade(): void {
    const conn = this.connection;
    const serverDirection = (1 - conn.clientDirection) as Direction;
    const refusal = findUpgradeRefusal(this.preamble!.prefix(conn.clientDirection), this.preamble!.prefix(serverDirection));
    if (refusal === null) return;
    const at = this.lastPlaintext?.[serverDirection] ?? { frame: conn.tcp.lastFrame, time: conn.tcp.lastTime };
    conn.detection = 'tls';
    conn.upgradedFrom = refusal.protocol;
    conn.upgradeRefused = { ...refusal, ...at };
  }

  private newSide(side: Side): SideState {
    const state: SideState = {
      side,
      records: null,
      assembler: new HandshakeAssembler(
        (m) => this.onHandshakeMessage(state, m),
        (e) => this.onRecordError(state, e),
      ),
      protection: 'plain',
      pending: null,
      sentFinished: false,
      loggedEncrypted: 0,
      earlyRecords: 0,
      decryptedAny: false,
      early: false,
      sawApplicationData: false,
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
    if (typeof state.protection === 'object') return true;
    // TLS 1.3 handshake records travel as application data: keep them while the handshake lasts, for sizes.
    return false;
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
        this.parseError(state, frame, time, `SSLv2 ClientHello of ${length} bytes is longer than the limit of ${MAX_SSL2_HELLO}`);
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
      this.connection.events.push({ kind: 'handshake', side: state.side, frame, firstFrame: frame, time, message: hello, decrypted: false });
    } catch (error) {
      this.parseError(state, frame, time, describe(error));
    }
    if (rest.length > 0) state.records?.push(rest, frame, time);
  }

  private onRecord(state: SideState, record: TlsRecord): void {
    let contentType = record.contentType;
    let content = record.fragment;
    let decrypted = false;
    const protection = state.protection;
    if (protection === 'plain' && contentType === ContentType.applicationData && this.sendsEarlyData(state) && this.connection.serverHello === null) {
      this.onEarlyData(state, record);
      return;
    }
    const encrypted = protection !== 'plain' && contentType !== ContentType.changeCipherSpec;
    if (encrypted) {
      if (protection === 'opaque' || content === null) {
        this.onOpaqueRecord(state, record);
        return;
      }
      const result = protection.decrypt(record.header, content);
      if (!result.ok && !state.decryptedAny && this.sendsEarlyData(state)) {
        // 0-RTT records the server did not accept (or that we have no early secret for) come before the
        // client's first handshake record; the server skips them too (RFC 8446 §4.2.10).
        this.onEarlyData(state, record);
        return;
      }
      if (!result.ok) {
        this.noteKeyMismatch(state, record, result.reason);
        state.protection = 'opaque';
        this.onOpaqueRecord(state, record);
        return;
      }
      contentType = result.contentType;
      content = result.content;
      decrypted = true;
      state.decryptedAny = true;
    }
    switch (contentType) {
      case ContentType.handshake:
        if (content !== null) state.assembler.push(content, record.frame, record.time, record.streamOffset);
        break;
      case ContentType.alert:
        this.onAlertContent(state, record, content, decrypted);
        break;
      case ContentType.changeCipherSpec:
        this.connection.events.push({ kind: 'change-cipher-spec', side: state.side, frame: record.frame, time: record.time });
        this.onChangeCipherSpec(state);
        break;
      case ContentType.applicationData:
        if (state.early) this.onEarlyData(state, record, content);
        else this.onApplicationData(state, record, content, decrypted);
        break;
      default:
        break;
    }
  }

  private onOpaqueRecord(state: SideState, record: TlsRecord): void {
    const conn = this.connection;
    const tls13 = conn.version === TLS_1_3;
    if (!tls13 && record.contentType === ContentType.applicationData) {
      this.onApplicationData(state, record, null, false);
      return;
    }
    if (!tls13 && record.contentType === ContentType.alert) {
      conn.events.push({ kind: 'alert', side: state.side, frame: record.frame, time: record.time, level: null, description: null, encrypted: true, decrypted: false });
      return;
    }
    const probableFinished = !tls13 && record.contentType === ContentType.handshake && !state.sentFinished;
    if (probableFinished) state.sentFinished = true;
    const probableAlert = tls13 && record.length === 2 + 1 + GCM_TAG_LENGTH;
    if (tls13 && state.loggedEncrypted >= MAX_LOGGED_ENCRYPTED_RECORDS && !probableAlert) {
      this.countApplicationData(state, record.length);
      return;
    }
    state.loggedEncrypted++;
    conn.events.push({
      kind: 'encrypted-record',
      side: state.side,
      frame: record.frame,
      time: record.time,
      contentType: record.contentType,
      length: record.length,
      probableFinished,
      probableAlert,
    });
  }

  private onAlertContent(state: SideState, record: TlsRecord, content: Uint8Array | null, decrypted: boolean): void {
    if (content === null || content.length < 2) {
      this.parseError(state, record.frame, record.time, `alert record of ${record.length} bytes, expected at least 2`);
      return;
    }
    for (let i = 0; i + 1 < content.length; i += 2) {
      this.connection.events.push({
        kind: 'alert',
        side: state.side,
        frame: record.frame,
        time: record.time,
        level: content[i]!,
        description: content[i + 1]!,
        encrypted: decrypted,
        decrypted,
      });
    }
  }

  private onApplicationData(state: SideState, record: TlsRecord, content: Uint8Array | null, decrypted: boolean): void {
    const length = content?.length ?? record.length;
    this.handshakeOver = true;
    if (!state.sawApplicationData) {
      state.sawApplicationData = true;
      this.connection.events.push({
        kind: 'application-data',
        early: false,
        side: state.side,
        frame: record.frame,
        time: record.time,
        length,
        decrypted,
        firstLine: decrypted && content !== null ? httpFirstLine(content) : null,
      });
    }
    this.countApplicationData(state, length);
  }

  /** The client offered 0-RTT data in a TLS 1.3 ClientHello (early_data extension). */
  private sendsEarlyData(state: SideState): boolean {
    const version = this.connection.version;
    return state.side === 'client' && this.connection.clientHello?.earlyData === true && (version === null || version === TLS_1_3);
  }

  /** A 0-RTT record: counted with the application data, the first one shown; it does not end the handshake. */
  private onEarlyData(state: SideState, record: TlsRecord, content: Uint8Array | null = null): void {
    const first = state.earlyRecords === 0;
    state.earlyRecords++;
    const length = content?.length ?? record.length;
    if (first) {
      this.connection.events.push({
        kind: 'application-data',
        early: true,
        side: state.side,
        frame: record.frame,
        time: record.time,
        length,
        decrypted: content !== null,
        firstLine: content !== null ? httpFirstLine(content) : null,
      });
    }
    this.countApplicationData(state, length);
  }

  private countApplicationData(state: SideState, length: number): void {
    if (this.connection.lastApplicationSide !== state.side) {
      this.connection.lastApplicationSide = state.side;
      this.connection.applicationTurns++;
    }
    this.connection.applicationBytes[state.side] += length;
    this.connection.applicationRecords[state.side]++;
  }

  private onChangeCipherSpec(state: SideState): void {
    const conn = this.connection;
    // Middlebox compatibility CCS (RFC 8446 §D.4): no key change. A client sends one right after its
    // ClientHello when it sends 0-RTT data, or after a HelloRetryRequest before its second ClientHello: no CCS
    // changes keys before the (real) ServerHello.
    if (conn.version === TLS_1_3 || conn.serverHello === null || conn.serverHello.type === 'HelloRetryRequest') return;
    if (state.pending !== null) {
      state.protection = state.pending;
      state.pending = null;
    } else {
      state.protection = 'opaque';
    }
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
      this.parseError(state, bytes.frame, bytes.time, describe(error));
      return;
    }
    const decrypted = typeof state.protection === 'object';
    conn.events.push({ kind: 'handshake', side: state.side, frame: bytes.frame, firstFrame: bytes.firstFrame, time: bytes.time, message, decrypted });
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
        if (state.early) state.protection = this.tls13Keys?.clientHandshake ?? 'opaque';
        state.early = false;
        break;
      case 'Finished':
        state.sentFinished = true;
        this.onFinished(state);
        break;
      case 'KeyUpdate':
        if (this.tls13Keys !== null && typeof state.protection === 'object') {
          state.protection = this.tls13Keys.nextApplication(state.side) ?? 'opaque';
        }
        break;
      default:
        break;
    }
  }

  private onServerHello(hello: ServerHello): void {
    const conn = this.connection;
    const renegotiation = conn.serverHello !== null && conn.serverHello.type === 'ServerHello';
    conn.serverHello = hello;
    conn.version = hello.effectiveVersion;
    conn.cipherSuite = hello.cipherSuite;
    const clientHello = conn.clientHello;
    const [client, server] = this.sides;
    if (hello.effectiveVersion === TLS_1_3) {
      // From here on both sides encrypt their handshake (RFC 8446 §2).
      const keys = clientHello && this.keys ? this.keys.tls13(clientHello.random, hello.cipherSuite) : null;
      if (keys) conn.keysFound = true;
      this.tls13Keys = keys;
      server.protection = keys?.serverHandshake ?? 'opaque';
      client.protection = keys?.clientHandshake ?? 'opaque';
      return;
    }
    if (!clientHello || !this.keys) {
      client.pending = server.pending = 'opaque';
      return;
    }
    const keys = this.keys.tls12({
      clientRandom: clientHello.random,
      serverRandom: hello.random,
      cipherSuite: hello.cipherSuite,
      version: hello.effectiveVersion,
      encryptThenMac: clientHello.encryptThenMac === true && hello.encryptThenMac === true,
    });
    if (keys) conn.keysFound = true;
    client.pending = keys?.client ?? 'opaque';
    server.pending = keys?.server ?? 'opaque';
    if (renegotiation) this.handshakeOver = false;
  }

  /** The server's EncryptedExtensions accepted 0-RTT: the client's records are early data until EndOfEarlyData. */
  private onEarlyDataAccepted(): void {
    const client = this.sides[0];
    if (this.tls13Keys === null || client.decryptedAny || typeof client.protection !== 'object') return;
    const early = this.tls13Keys.clientEarly(client.earlyRecords);
    if (early === null) return; // no early secret: the early records fail to decrypt and are skipped as such
    client.protection = early;
    client.early = true;
  }

  private onFinished(state: SideState): void {
    const keys = this.tls13Keys;
    if (this.connection.version === TLS_1_3) {
      // The side's next records use its application traffic secret.
      state.protection = (state.side === 'client' ? keys?.clientApplication : keys?.serverApplication) ?? 'opaque';
    }
    const [client, server] = this.sides;
    if (client.sentFinished && server.sentFinished) this.handshakeOver = true;
  }

  private noteKeyMismatch(state: SideState, record: TlsRecord, reason: string): void {
    if (this.connection.keyMismatch === null) {
      this.connection.keyMismatch = { side: state.side, frame: record.frame, reason };
    }
  }

  private onRecordError(state: SideState, error: RecordLayerError): void {
    this.parseError(state, error.frame, 0, error.message);
  }

  private parseError(state: SideState, frame: number, time: number, message: string): void {
    this.connection.events.push({ kind: 'parse-error', side: state.side, frame, time, message });
  }
}

type FirstBytes = 'tls' | 'ssl2' | 'other';

/**
 * The client is whoever sends the ClientHello; a capture that starts at the ServerHello names the other side;
 * otherwise (a capture begun after the handshake) the TCP initiator is taken for the client.
 */
function clientDirectionFrom(kind: FirstBytes, data: Uint8Array, sender: Direction): Direction {
  if (kind === 'ssl2') return sender;
  if (data[0] === ContentType.handshake && data.length > 5) {
    if (data[5] === 1) return sender;
    if (data[5] === 2) return (1 - sender) as Direction;
  }
  return data[0] === ContentType.handshake ? sender : 0;
}

/** Tells a TLS record (or an SSLv2-compatible ClientHello) from other protocols by its first bytes. */
export function classifyFirstBytes(data: Uint8Array): FirstBytes {
  const b0 = data[0];
  if (b0 === undefined) return 'other';
  if (b0 >= ContentType.changeCipherSpec && b0 <= ContentType.heartbeat) {
    if (data.length < 2) return 'tls';
    return data[1] === 3 && (data.length < 3 || data[2]! <= 4) ? 'tls' : 'other';
  }
  // SSLv2 record header with the high bit set, then msg_type 1 (CLIENT-HELLO) and version 2.0 or 3.x.
  if ((b0 & 0x80) !== 0 && data.length >= 4 && data[2] === 1 && (data[3] === 3 || data[3] === 0 || data[3] === 2)) return 'ssl2';
  return 'other';
}

/** The first line of an HTTP/1 request or response, or null: nothing else of the payload is kept. */
export function httpFirstLine(content: Uint8Array): string | null {
  const limit = Math.min(content.length, 200);
  let end = 0;
  while (end < limit && content[end] !== 0x0d && content[end] !== 0x0a) {
    const c = content[end]!;
    if (c < 0x20 || c > 0x7e) return null;
    end++;
  }
  if (end === 0) return null;
  const line = String.fromCharCode(...content.subarray(0, end));
  return /^(HTTP\/\d(\.\d)? \d{3}|[A-Z]+ \S+ HTTP\/\d(\.\d)?$)/.test(line) ? line : null;
}

function describe(error: unknown): string {
  if (error instanceof TlsParseError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
