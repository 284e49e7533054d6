import type { Side } from '../model/types.js';
import type { CloseEvent as TcpCloseEvent, Direction, StreamControl, StreamHandler, TcpConnectionInfo } from '../tcp/types.js';
import type { ApplicationDataEvent, TlsEvent } from './events.js';
import { TlsParseError } from './handshake/errors.js';
import { parseHandshakeMessage } from './handshake/parse.js';
import { parseSsl2ClientHello } from './handshake/sslv2-client-hello.js';
import type { ClientHello, HandshakeMessage, ServerHello } from './handshake/types.js';
import type { KeyExchangeParams, KeyProvider, RecordDecryptor, Tls13Keys } from './keys.js';
import { HandshakeAssembler, type HandshakeMessageBytes } from './record/handshake-assembler.js';
import { RecordStream } from './record/record-stream.js';
import { ContentType, type RecordLayerError, type TlsRecord } from './record/types.js';
import {
  findUpgradeRefusal,
  firstPrintableLine,
  identifyUpgrade,
  httpLineKind,
  isHttpsPortPage,
  mysqlServerVersion,
  PlaintextPreamble,
  plaintextProtocol,
  type UpgradeProtocol,
  type UpgradeRefusal,
} from './preamble.js';
import { cipherSuiteKeyExchange } from './registry/key-exchange.js';
import { PROTOCOL_VERSION_NAMES, protocolOf, TLS_1_3, tls13Variant } from './registry/protocol-versions.js';
import { sameBytes } from '../util/bytes.js';
import { errorMessage } from '../util/errors.js';

/** Encrypted records logged one by one per side before they are only counted. */
const MAX_LOGGED_ENCRYPTED_RECORDS = 12;
/** Largest SSLv2-compatible ClientHello kept (its 15-bit length allows 32 KiB). */
const MAX_SSL2_HELLO = 32 * 1024;
const GCM_TAG_LENGTH = 16;
/** Gaps listed per connection (a lossy capture can have thousands; the first ones tell the story). */
const MAX_GAPS_KEPT = 64;
/** Plaintext joined across records to find the first line of application data (up to CR LF). */
const MAX_FIRST_LINE = 4096;
/**
 * Key exchanges opened per connection with --key/--psk (each costs an RSA private-key operation): a hostile
 * capture renegotiating without end must not buy unbounded CPU time with a few hundred bytes a handshake.
 */
const MAX_KEY_EXCHANGES_OPENED = 16;
/** Handshake bytes kept for extended_master_secret while a private key or PSK may open the session. */
const MAX_TRANSCRIPT_BYTES = 256 * 1024;

export type Detection = 'pending' | 'tls' | 'not-tls';

/**
 * Ports where a server that closes at once, without a byte, on a plain HTTP request is taken to speak TLS (OpenSSL
 * sends no alert for "http request"): HTTPS and its usual alternates, the Kubernetes API, WinRM over HTTPS.
 */
const TLS_PORTS: ReadonlySet<number> = new Set([443, 4443, 5986, 6443, 8443, 9443, 10443]);
const ALERT_RECORD_HEADER = 5;

/** One side of the connection did not speak TLS where the other expected it. */
export interface NonTlsFact {
  /** server: it answered a ClientHello with other bytes; client: it sent other bytes to a server that speaks TLS. */
  side: Side;
  /** The frame and time of that side's first non-TLS bytes. */
  frame: number;
  time: number;
  /** Its first printable line (at most 200 characters, control characters removed); nothing else is kept. */
  firstLine: string | null;
  /** What the bytes are, when their start says: HTTP (request, status line or HTML page), a MySQL server greeting. */
  protocol: 'http' | 'mysql' | null;
  /**
   * side server: it spoke first, a greeting before the client's ClientHello (SMTP 220, SSH-2.0-…, a MySQL handshake):
   * the client expected TLS from the first byte on a port that starts in plaintext. False: it answered the ClientHello.
   */
  spokeFirst: boolean;
  /**
   * side client: how the server showed it speaks TLS: it answered with a TLS alert record, with an HTTP server's
   * "plain HTTP sent to the HTTPS port" page, or it closed without a byte on a TLS port (TLS_PORTS). Null for side
   * server.
   */
  serverShowedTls: 'tls-alert' | 'https-port-page' | 'tls-port-closed' | null;
  /** side client: the server's answer (its first line, or the alert description code); null when it sent nothing. */
  reply: { frame: number; firstLine: string | null; alert: number | null } | null;
}

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
  keysFrom: 'key-log' | 'private-key' | 'psk' | null;
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
  /** The first application-data event while its first line is still being joined from later records. */
  firstLine: { event: ApplicationDataEvent; parts: Uint8Array[]; size: number } | null;
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
  /** Per direction (bit 1 << direction): it delivered anything yet (bytes or a gap). */
  private started = 0;
  /** The direction that sent the connection's first bytes (the client of a plaintext request). */
  private firstSender: Direction | null = null;
  /** Where each direction's plaintext first came (made with the first plaintext, like lastPlaintext). */
  private firstPlaintext: [{ frame: number; time: number } | null, { frame: number; time: number } | null] | null = null;
  /** The client's first bytes were a ClientHello (direct TLS): the server must answer in TLS. */
  private helloFromClient = false;
  /** The direction that did not speak TLS: its bytes are no longer parsed. */
  private nonTlsDirection: Direction | null = null;
  /** --key/--psk: the handshake messages since the last ClientHello, with headers (extended_master_secret). */
  private transcript: Uint8Array[] | null = null;
  private transcriptBytes = 0;
  /** TLS 1.0-1.2 with --key/--psk: the ServerHello's parameters, waiting for the ClientKeyExchange. */
  private awaitingKeyExchange: (KeyExchangeParams & { extendedMasterSecret: boolean; sessionId: Uint8Array }) | null = null;
  /** The server's last leaf certificate (DER), for the private key that matches it. */
  private serverLeaf: Uint8Array | null = null;
  private keyExchangesOpened = 0;

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
      lastApplicationSide: null,
    });
  }

  private get sides(): [SideState, SideState] {
    return (this.sideStates ??= [this.newSide('client'), this.newSide('server')]);
  }

  data(direction: Direction, data: Uint8Array, frame: number, time: number): void {
    const conn = this.connection;
    if (conn.detection === 'not-tls' || direction === this.nonTlsDirection) return;
    const first = (this.started & (1 << direction)) === 0;
    this.started |= 1 << direction;
    this.firstSender ??= direction;
    if (conn.detection === 'pending') {
      const kind = this.preamble === null ? classifyFirstBytes(data) : 'other';
      if (kind === 'other') {
        this.scanPreamble(direction, data, frame, time, first);
        return;
      }
      conn.detection = 'tls';
      conn.clientDirection = clientDirectionFrom(kind, data, direction);
      this.helloFromClient =
        conn.clientDirection === direction && (kind === 'ssl2' || (data[0] === ContentType.handshake && (data.length <= 5 || data[5] === 1)));
      if (kind === 'ssl2') this.sideFor(direction).ssl2 = new Uint8Array(0);
    } else if (first && this.helloFromClient && this.preamble === null && direction !== conn.clientDirection && answersInPlaintext(data)) {
      // TLS sent to a plaintext port: the server answers the ClientHello in its own protocol (nginx: HTTP 400).
      this.markNonTls(direction, 'server', frame, time, data, null, null);
      return;
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
  private scanPreamble(direction: Direction, data: Uint8Array, frame: number, time: number, first: boolean): void {
    const conn = this.connection;
    if (first && direction !== this.firstSender && this.preamble !== null && isAlertRecord(data)) {
      // Plaintext sent to a TLS port, and the server answered with a TLS alert record.
      const client = (1 - direction) as Direction;
      const reply = { frame, firstLine: null, alert: data[ALERT_RECORD_HEADER + 1] ?? null };
      this.markNonTls(client, 'client', frame, time, this.preamble.prefix(client), 'tls-alert', reply);
      return;
    }
    this.preamble ??= new PlaintextPreamble();
    (this.lastPlaintext ??= [null, null])[direction] = { frame, time };
    (this.firstPlaintext ??= [null, null])[direction] ??= { frame, time };
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
    const serverDirection = (1 - conn.clientDirection) as Direction;
    const greeting = this.firstPlaintext?.[serverDirection] ?? null;
    if (start.messageType === 1 && clientPrefix.length === 0 && greeting !== null && conn.tcp.sawSyn && conn.gaps.length === 0) {
      // The server greeted in plaintext and the client answered with a ClientHello, asking for no upgrade: TLS
      // sent to a port that starts in plaintext (implicit TLS against SMTP 25/587, IMAP 143, MySQL 3306, SSH …).
      this.markNonTls(serverDirection, 'server', greeting.frame, greeting.time, serverPrefix, null, null);
      this.connection.nonTls!.spokeFirst = true;
      this.preamble = null;
    } else {
      conn.upgradedFrom = identifyUpgrade(clientPrefix, serverPrefix);
    }
    // A client may start TLS although the server refused the upgrade (openssl s_client -starttls does).
    const refusal = findUpgradeRefusal(clientPrefix, serverPrefix);
    if (refusal !== null && start.messageType === 1) {
      conn.upgradeRefused = { ...refusal, ...(this.lastPlaintext?.[serverDirection] ?? { frame, time }) };
    }
    this.tlsStarted |= 1 << direction;
    const records = this.sideFor(direction).records;
    if (start.carry.length > 0) records?.push(start.carry, frame, time);
    records?.push(start.data.subarray(start.offset), frame, time);
  }

  gap(direction: Direction, missing: number, frame: number, time: number, ownLimit?: string): void {
    this.started |= 1 << direction;
    if (ownLimit !== undefined && this.connection.detection === 'tls') this.notUnderstood(ownLimit);
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
    // A connection that never carried a byte has no side states to finish (none are made for it).
    if (this.sideStates !== null) for (const side of this.sideStates) this.finishFirstLine(side);
    if (this.connection.detection === 'pending' && this.preamble !== null) this.checkRefusedUpgrade();
    if (this.connection.detection === 'pending' && this.preamble !== null) this.checkPlaintextToTls();
    this.onEnd(this.connection);
  }

  /**
   * The connection ended in plaintext: the client's bytes went to a server that shows it speaks TLS (an HTTP
   * server's "plain HTTP request was sent to HTTPS port" page, or closing without a byte on a TLS port) is kept
   * as a connection; plaintext between plaintext peers is not.
   */
  private checkPlaintextToTls(): void {
    const conn = this.connection;
    const client = this.firstSender;
    if (client === null) return;
    const server = (1 - client) as Direction;
    const preamble = this.preamble!;
    const clientBytes = preamble.prefix(client);
    const serverBytes = preamble.prefix(server);
    const at = this.firstPlaintext?.[server] ?? null;
    if (at !== null && isHttpsPortPage(serverBytes)) {
      const reply = { frame: at.frame, firstLine: firstPrintableLine(serverBytes), alert: null };
      this.markNonTls(client, 'client', at.frame, at.time, clientBytes, 'https-port-page', reply);
      return;
    }
    const serverPort = (client === 0 ? conn.tcp.responder : conn.tcp.initiator).port;
    const close = conn.tcp.firstClose;
    const silentClose = conn.tcp.bytes[server] === 0 && close !== null && close.direction === server;
    const request = firstPrintableLine(clientBytes);
    if (silentClose && TLS_PORTS.has(serverPort) && httpLineKind(request) === 'request') {
      this.markNonTls(client, 'client', close.frame, close.time, clientBytes, 'tls-port-closed', null);
    }
  }

  /**
   * Records that one side did not speak TLS (only its first line is kept) and stops parsing its bytes. The
   * connection is then a TLS connection that failed: it is reported.
   */
  private markNonTls(
    direction: Direction,
    side: Side,
    frame: number,
    time: number,
    bytes: Uint8Array,
    serverShowedTls: NonTlsFact['serverShowedTls'],
    reply: NonTlsFact['reply'],
  ): void {
    const conn = this.connection;
    const protocol = plaintextProtocol(bytes);
    const firstLine = protocol === 'mysql' ? mysqlServerVersion(bytes) : firstPrintableLine(bytes);
    const at = side === 'client' ? (this.firstPlaintext?.[direction] ?? { frame, time }) : { frame, time };
    conn.nonTls = { side, frame: at.frame, time: at.time, firstLine, protocol, spokeFirst: false, serverShowedTls, reply };
    this.nonTlsDirection = direction;
    if (conn.detection !== 'tls') {
      conn.detection = 'tls';
      conn.clientDirection = side === 'client' ? direction : ((1 - direction) as Direction);
      this.preamble = null;
    }
    this.control.ignore(direction);
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
      firstLine: null,
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
        const reason = `an SSLv2 ClientHello of ${length} bytes is larger than tlsdiag's limit of ${MAX_SSL2_HELLO} bytes`;
        this.notUnderstood(reason);
        this.parseError(state, frame, time, reason);
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
      this.parseError(state, frame, time, errorMessage(error));
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
    // An empty record (OpenSSL's TLS 1.0 CBC clients and servers send one first, against BEAST) is counted,
    // not shown: the first record with data is.
    if (!state.sawApplicationData && !(decrypted && length === 0)) {
      state.sawApplicationData = true;
      const event: ApplicationDataEvent = {
        kind: 'application-data',
        early: false,
        side: state.side,
        frame: record.frame,
        time: record.time,
        length,
        decrypted,
        firstLine: null,
      };
      this.connection.events.push(event);
      if (decrypted && content !== null) {
        state.firstLine = { event, parts: [], size: 0 };
        this.joinFirstLine(state, content);
      }
    } else if (state.firstLine !== null && content !== null) {
      this.joinFirstLine(state, content);
    }
    this.countApplicationData(state, length);
  }

  /**
   * Joins decrypted records until the first line ends (CR or LF) or MAX_FIRST_LINE bytes: Java and IBM split
   * the first CBC record 1/n-1 ('G', then 'ET / …'), and a request may simply span records.
   */
  private joinFirstLine(state: SideState, content: Uint8Array): void {
    const pending = state.firstLine!;
    const take = content.subarray(0, MAX_FIRST_LINE - pending.size);
    pending.parts.push(take.slice());
    pending.size += take.length;
    const ended = take.includes(0x0a) || take.includes(0x0d) || pending.size >= MAX_FIRST_LINE || !isPrintable(take);
    if (ended) this.finishFirstLine(state);
  }

  private finishFirstLine(state: SideState): void {
    const pending = state.firstLine;
    if (pending === null) return;
    state.firstLine = null;
    const joined = new Uint8Array(pending.size);
    let at = 0;
    for (const part of pending.parts) {
      joined.set(part, at);
      at += part.length;
    }
    pending.event.firstLine = httpFirstLine(joined);
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
      const reason = errorMessage(error);
      if (error instanceof TlsParseError && error.ownLimit) this.notUnderstood(`${reason}: a limit of tlsdiag's, not of the protocol`);
      else if (bytes.msgType === 2) this.checkServerHelloVariant(bytes.body, reason);
      this.parseError(state, bytes.frame, bytes.time, reason);
      return;
    }
    const decrypted = typeof state.protection === 'object';
    conn.events.push({ kind: 'handshake', side: state.side, frame: bytes.frame, firstFrame: bytes.firstFrame, time: bytes.time, message, decrypted });
    if (this.keys?.exchange !== undefined) this.followKeyExchange(state, bytes, message);
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
      this.transcript = null; // --key/--psk open TLS 1.0-1.2 key exchanges only
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
    if (keys) {
      this.transcript = null;
      this.keysFoundIn('key-log');
    }
    const opened = keys ?? this.openFromHello(hello, clientHello);
    client.pending = opened?.client ?? 'opaque';
    server.pending = opened?.server ?? 'opaque';
    if (renegotiation) this.handshakeOver = false;
  }

  /**
   * No key log secret for a TLS 1.0-1.2 handshake: a resumed session opened before by --key/--psk is opened
   * now; a full handshake waits for its ClientKeyExchange (followKeyExchange).
   */
  private openFromHello(hello: ServerHello, clientHello: ClientHello): ReturnType<KeyProvider['tls12']> {
    this.awaitingKeyExchange = null;
    const exchange = this.keys?.exchange;
    if (exchange === undefined || !exchange.canOpen(hello.cipherSuite)) {
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
      const keys = exchange.resume({ ...params, sessionId: hello.sessionId });
      if (keys) this.keysFoundIn(exchangeSource(hello.cipherSuite));
      return keys;
    }
    this.awaitingKeyExchange = {
      ...params,
      extendedMasterSecret: clientHello.extendedMasterSecret === true && hello.extendedMasterSecret === true,
      sessionId: hello.sessionId.slice(),
    };
    return null;
  }

  /** --key/--psk: keeps the transcript, the server's certificate, and opens the session at the ClientKeyExchange. */
  private followKeyExchange(state: SideState, bytes: HandshakeMessageBytes, message: HandshakeMessage): void {
    const exchange = this.keys!.exchange!;
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
    if (message.type === 'Certificate' && state.side === 'server') {
      const leaf = message.certificates[0]?.data;
      if (leaf !== undefined) {
        this.serverLeaf = leaf.slice();
        exchange.noteServerCertificate(this.serverLeaf);
      }
      return;
    }
    if (message.type !== 'ClientKeyExchange' || state.side !== 'client' || this.awaitingKeyExchange === null) return;
    const awaiting = this.awaitingKeyExchange;
    this.awaitingKeyExchange = null;
    if (this.keyExchangesOpened >= MAX_KEY_EXCHANGES_OPENED) {
      this.transcript = null;
      return;
    }
    this.keyExchangesOpened++;
    const keys = exchange.open({
      ...awaiting,
      serverCertificate: this.serverLeaf,
      clientKeyExchange: message.raw,
      transcript: awaiting.extendedMasterSecret ? this.transcript : null,
    });
    this.transcript = null;
    if (keys === null) return;
    this.keysFoundIn(exchangeSource(awaiting.cipherSuite));
    const [client, server] = this.sides;
    client.pending = keys.client;
    server.pending = keys.server;
  }

  private keysFoundIn(source: 'key-log' | 'private-key' | 'psk'): void {
    this.connection.keysFound = true;
    this.connection.keysFrom ??= source;
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
    if (error.code === 'handshake-too-long') this.notUnderstood(error.message);
    this.parseError(state, error.frame, 0, error.message);
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

  private parseError(state: SideState, frame: number, time: number, message: string): void {
    this.connection.events.push({ kind: 'parse-error', side: state.side, frame, time, message });
  }
}

type FirstBytes = 'tls' | 'ssl2' | 'other';

/**
 * A server's first bytes after a ClientHello that are not TLS: neither a TLS record nor an SSLv2 SERVER-HELLO
 * (record header with the high bit set, then message type 4).
 */
function answersInPlaintext(data: Uint8Array): boolean {
  if (classifyFirstBytes(data) !== 'other') return false;
  return !((data[0]! & 0x80) !== 0 && data.length >= 3 && data[2] === 4);
}

/** A TLS alert record header (content type 21, version 3.x, length 2) at the start of the bytes. */
function isAlertRecord(data: Uint8Array): boolean {
  return data.length >= ALERT_RECORD_HEADER + 2 && data[0] === ContentType.alert && data[1] === 3 && data[2]! <= 4 && data[3] === 0 && data[4] === 2;
}

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
  const limit = Math.min(content.length, MAX_FIRST_LINE);
  let end = 0;
  while (end < limit && content[end] !== 0x0d && content[end] !== 0x0a) {
    const c = content[end]!;
    if (c < 0x20 || c > 0x7e) return null;
    end++;
  }
  if (end === 0) return null;
  const line = String.fromCharCode(...content.subarray(0, end));
  const kind = httpLineKind(line);
  return kind === 'status' || kind === 'request' ? line : null;
}

/** What opened a TLS 1.2 key exchange without a key log: a PSK for the PSK suites, else the private key. */
function exchangeSource(cipherSuite: number): 'private-key' | 'psk' {
  const kx = cipherSuiteKeyExchange(cipherSuite);
  return kx === 'psk' || kx === 'rsa_psk' ? 'psk' : 'private-key';
}

/** No byte outside printable ASCII before the first CR or LF: may still be the start of an HTTP line. */
function isPrintable(bytes: Uint8Array): boolean {
  for (const c of bytes) {
    if (c === 0x0d || c === 0x0a) return true;
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
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
