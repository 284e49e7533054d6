/**
 * Whether a TCP connection speaks TLS, and from where: direct TLS from the first byte, TLS after another
 * protocol's plaintext (STARTTLS, SOCKS, CONNECT), a refused upgrade, or one side that did not speak TLS at all.
 */
import type { Direction, StreamControl } from '../tcp/types.js';
import type { TlsConnection } from './connection.js';
import {
  findUpgradeRefusal,
  firstPrintableLine,
  httpLineKind,
  identifyUpgrade,
  isHttpsPortPage,
  mysqlServerVersion,
  PlaintextPreamble,
  plaintextProtocol,
} from './preamble.js';
import { ContentType } from './record/types.js';
import type { Side } from './side.js';

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

/** Where the TLS bytes that detection let through go: the record layer of a direction. */
export interface TlsBytesSink {
  /** TLS bytes that the preamble held back (a record that began in an earlier chunk). */
  carried(direction: Direction, bytes: Uint8Array, frame: number, time: number): void;
  /** The client's first bytes are an SSLv2-compatible ClientHello, whose header is not a TLS record header. */
  ssl2Hello(direction: Direction): void;
}

type At = { frame: number; time: number };

/**
 * Decides, from each direction's first bytes, whether and where TLS starts, and writes what it found in the
 * connection (detection, clientDirection, upgradedFrom, upgradeRefused, nonTls). Made with the first byte or gap.
 */
export class TlsDetector {
  /** Set while the connection starts with another protocol's plaintext. */
  private preamble: PlaintextPreamble | null = null;
  /** Where each direction's plaintext last came (the server's refusal of an upgrade is in it). */
  private lastPlaintext: [At | null, At | null] | null = null;
  /** Where each direction's plaintext first came (made with the first plaintext, like lastPlaintext). */
  private firstPlaintext: [At | null, At | null] | null = null;
  /** Per direction (bit 1 << direction): TLS began after the preamble. */
  private tlsStarted = 0;
  /** Per direction (bit 1 << direction): it delivered anything yet (bytes or a gap). */
  private started = 0;
  /** The direction that sent the connection's first bytes (the client of a plaintext request). */
  private firstSender: Direction | null = null;
  /** The client's first bytes were a ClientHello (direct TLS): the server must answer in TLS. */
  private helloFromClient = false;
  /** The direction that did not speak TLS: its bytes are no longer parsed. */
  private nonTlsDirection: Direction | null = null;

  constructor(
    private readonly conn: TlsConnection,
    private readonly control: StreamControl,
    private readonly sink: TlsBytesSink,
  ) {}

  /**
   * Takes a direction's bytes; returns those for its record layer (after anything carried, given to the sink),
   * or null when they are not TLS (plaintext before TLS, or a side that does not speak it).
   */
  accept(direction: Direction, data: Uint8Array, frame: number, time: number): Uint8Array | null {
    const conn = this.conn;
    if (conn.detection === 'not-tls' || direction === this.nonTlsDirection) return null;
    const first = (this.started & (1 << direction)) === 0;
    this.started |= 1 << direction;
    this.firstSender ??= direction;
    if (conn.detection === 'pending') {
      const kind = this.preamble === null ? classifyFirstBytes(data) : 'other';
      if (kind === 'other') return this.scanPreamble(direction, data, frame, time, first);
      conn.detection = 'tls';
      conn.clientDirection = clientDirectionFrom(kind, data, direction);
      this.helloFromClient =
        conn.clientDirection === direction && (kind === 'ssl2' || (data[0] === ContentType.handshake && (data.length <= 5 || data[5] === 1)));
      if (kind === 'ssl2') this.sink.ssl2Hello(direction);
      return data;
    }
    if (first && this.helloFromClient && this.preamble === null && direction !== conn.clientDirection && answersInPlaintext(data)) {
      // TLS sent to a plaintext port: the server answers the ClientHello in its own protocol (nginx: HTTP 400).
      this.markNonTls(direction, 'server', frame, time, data, null, null);
      return null;
    }
    if (this.preamble !== null && (this.tlsStarted & (1 << direction)) === 0) {
      // The other side of an upgraded connection: its bytes are TLS from its first record after the upgrade.
      const start = classifyFirstBytes(data) === 'tls' ? { carry: new Uint8Array(0), data, offset: 0 } : this.preamble.push(direction, data);
      if (start === null) return null;
      this.tlsStarted |= 1 << direction;
      if (start.carry.length > 0) this.sink.carried(direction, start.carry, frame, time);
      return start.data.subarray(start.offset);
    }
    return data;
  }

  /** A direction lost bytes: it counts as started (a gap, not silence). */
  gap(direction: Direction): void {
    this.started |= 1 << direction;
  }

  /** The connection ended: one that ended in plaintext may still be a (failed) TLS connection. */
  end(): void {
    if (this.conn.detection === 'pending' && this.preamble !== null) this.checkRefusedUpgrade();
    if (this.conn.detection === 'pending' && this.preamble !== null) this.checkPlaintextToTls();
  }

  /** Looks for TLS after another protocol's plaintext (STARTTLS, SOCKS, CONNECT); gives up after a bounded scan. */
  private scanPreamble(direction: Direction, data: Uint8Array, frame: number, time: number, first: boolean): Uint8Array | null {
    const conn = this.conn;
    if (first && direction !== this.firstSender && this.preamble !== null && isAlertRecord(data)) {
      // Plaintext sent to a TLS port, and the server answered with a TLS alert record.
      const client = (1 - direction) as Direction;
      const reply = { frame, firstLine: null, alert: data[ALERT_RECORD_HEADER + 1] ?? null };
      this.markNonTls(client, 'client', frame, time, this.preamble.prefix(client), 'tls-alert', reply);
      return null;
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
      return null;
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
      conn.nonTls!.spokeFirst = true;
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
    if (start.carry.length > 0) this.sink.carried(direction, start.carry, frame, time);
    return start.data.subarray(start.offset);
  }

  /**
   * The connection ended in plaintext: the client's bytes went to a server that shows it speaks TLS (an HTTP
   * server's "plain HTTP request was sent to HTTPS port" page, or closing without a byte on a TLS port) is kept
   * as a connection; plaintext between plaintext peers is not.
   */
  private checkPlaintextToTls(): void {
    const conn = this.conn;
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
    const conn = this.conn;
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
    const conn = this.conn;
    const serverDirection = (1 - conn.clientDirection) as Direction;
    const refusal = findUpgradeRefusal(this.preamble!.prefix(conn.clientDirection), this.preamble!.prefix(serverDirection));
    if (refusal === null) return;
    const at = this.lastPlaintext?.[serverDirection] ?? { frame: conn.tcp.lastFrame, time: conn.tcp.lastTime };
    conn.detection = 'tls';
    conn.upgradedFrom = refusal.protocol;
    conn.upgradeRefused = { ...refusal, ...at };
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
