/**
 * The events of one TLS connection as they accumulate: what each record showed, in wire order, with the
 * application data counted rather than logged (only a side's first record is shown, its first line joined).
 */
import type { TlsConnection } from './connection.js';
import type { ApplicationDataEvent, HandshakeEvent } from './events.js';
import { httpLineKind } from './preamble.js';
import type { TlsRecord } from './record/types.js';
import type { Side } from './side.js';

/** Encrypted records logged one by one per side before they are only counted. */
const MAX_LOGGED_ENCRYPTED_RECORDS = 12;
const GCM_TAG_LENGTH = 16;
/** Plaintext joined across records to find the first line of application data (up to CR LF). */
const MAX_FIRST_LINE = 4096;

interface SideLog {
  loggedEncrypted: number;
  /** Client: 0-RTT records seen (before the ServerHello, or skipped after it when they do not decrypt). */
  earlyRecords: number;
  sawApplicationData: boolean;
  /** The first application-data event while its first line is still being joined from later records. */
  firstLine: { event: ApplicationDataEvent; parts: Uint8Array[]; size: number } | null;
}

/** Writes the connection's events and application-data counts (TlsConnection.events, applicationBytes …). */
export class EventLog {
  private readonly sides: Record<Side, SideLog> = { client: newSideLog(), server: newSideLog() };
  /** The side of the last application-data record (for applicationTurns). */
  private lastApplicationSide: Side | null = null;

  constructor(private readonly conn: TlsConnection) {}

  /** 0-RTT records the client sent so far. */
  earlyRecords(side: Side): number {
    return this.sides[side].earlyRecords;
  }

  handshake(event: Omit<HandshakeEvent, 'kind'>): void {
    this.conn.events.push({ kind: 'handshake', ...event });
  }

  changeCipherSpec(side: Side, record: TlsRecord): void {
    this.conn.events.push({ kind: 'change-cipher-spec', side, frame: record.frame, time: record.time });
  }

  gap(side: Side, frame: number, time: number, missing: number, inHandshake: boolean): void {
    this.conn.events.push({ kind: 'gap', side, frame, time, missing, inHandshake });
  }

  close(side: Side, frame: number, time: number, closeKind: 'fin' | 'rst'): void {
    this.conn.events.push({ kind: 'close', side, frame, time, closeKind });
  }

  parseError(side: Side, frame: number, time: number, message: string): void {
    this.conn.events.push({ kind: 'parse-error', side, frame, time, message });
  }

  /** An alert record's content, read (in the clear or decrypted): one event per alert in it. */
  alerts(side: Side, record: TlsRecord, content: Uint8Array | null, decrypted: boolean): void {
    if (content === null || content.length < 2) {
      this.parseError(side, record.frame, record.time, `alert record of ${record.length} bytes, expected at least 2`);
      return;
    }
    for (let i = 0; i + 1 < content.length; i += 2) {
      this.conn.events.push({ kind: 'alert', side, frame: record.frame, time: record.time, level: content[i]!, description: content[i + 1]!, decrypted });
    }
  }

  /** TLS 1.0-1.2: an alert record no key opened (its record type says alert). */
  unreadAlert(side: Side, record: TlsRecord): void {
    this.conn.events.push({ kind: 'encrypted-alert', shownBy: 'content-type', side, frame: record.frame, time: record.time, length: record.length });
  }

  /**
   * A record no key opened, other than TLS 1.0-1.2 application data and alerts: logged up to a limit per side
   * (TLS 1.3 then counts the rest as application data); a TLS 1.3 one of an alert's size is always logged.
   */
  unreadRecord(side: Side, record: TlsRecord, tls13: boolean, probableFinished: boolean): void {
    const log = this.sides[side];
    const probableAlert = tls13 && record.length === 2 + 1 + GCM_TAG_LENGTH;
    if (tls13 && log.loggedEncrypted >= MAX_LOGGED_ENCRYPTED_RECORDS && !probableAlert) {
      this.countApplicationData(side, record.length);
      return;
    }
    log.loggedEncrypted++;
    const at = { side, frame: record.frame, time: record.time, length: record.length };
    if (probableAlert) this.conn.events.push({ kind: 'encrypted-alert', shownBy: 'size', ...at });
    else this.conn.events.push({ kind: 'encrypted-record', contentType: record.contentType, probableFinished, ...at });
  }

  applicationData(side: Side, record: TlsRecord, content: Uint8Array | null, decrypted: boolean): void {
    const log = this.sides[side];
    const length = content?.length ?? record.length;
    // An empty record (OpenSSL's TLS 1.0 CBC clients and servers send one first, against BEAST) is counted,
    // not shown: the first record with data is.
    if (!log.sawApplicationData && !(decrypted && length === 0)) {
      log.sawApplicationData = true;
      const event: ApplicationDataEvent = {
        kind: 'application-data',
        early: false,
        side,
        frame: record.frame,
        time: record.time,
        length,
        decrypted,
        firstLine: null,
      };
      this.conn.events.push(event);
      if (decrypted && content !== null) {
        log.firstLine = { event, parts: [], size: 0 };
        this.joinFirstLine(log, content);
      }
    } else if (log.firstLine !== null && content !== null) {
      this.joinFirstLine(log, content);
    }
    this.countApplicationData(side, length);
  }

  /** A 0-RTT record: counted with the application data, the first one shown. */
  earlyData(side: Side, record: TlsRecord, content: Uint8Array | null): void {
    const log = this.sides[side];
    const first = log.earlyRecords === 0;
    log.earlyRecords++;
    const length = content?.length ?? record.length;
    if (first) {
      this.conn.events.push({
        kind: 'application-data',
        early: true,
        side,
        frame: record.frame,
        time: record.time,
        length,
        decrypted: content !== null,
        firstLine: content !== null ? httpFirstLine(content) : null,
      });
    }
    this.countApplicationData(side, length);
  }

  /** The connection ended: a first line still being joined is read from what came. */
  end(): void {
    this.finishFirstLine(this.sides.client);
    this.finishFirstLine(this.sides.server);
  }

  private countApplicationData(side: Side, length: number): void {
    if (this.lastApplicationSide !== side) {
      this.lastApplicationSide = side;
      this.conn.applicationTurns++;
    }
    this.conn.applicationBytes[side] += length;
    this.conn.applicationRecords[side]++;
  }

  /**
   * Joins decrypted records until the first line ends (CR or LF) or MAX_FIRST_LINE bytes: Java and IBM split
   * the first CBC record 1/n-1 ('G', then 'ET / …'), and a request may simply span records.
   */
  private joinFirstLine(log: SideLog, content: Uint8Array): void {
    const pending = log.firstLine!;
    const take = content.subarray(0, MAX_FIRST_LINE - pending.size);
    pending.parts.push(take.slice());
    pending.size += take.length;
    const ended = take.includes(0x0a) || take.includes(0x0d) || pending.size >= MAX_FIRST_LINE || !isPrintable(take);
    if (ended) this.finishFirstLine(log);
  }

  private finishFirstLine(log: SideLog): void {
    const pending = log.firstLine;
    if (pending === null) return;
    log.firstLine = null;
    const joined = new Uint8Array(pending.size);
    let at = 0;
    for (const part of pending.parts) {
      joined.set(part, at);
      at += part.length;
    }
    pending.event.firstLine = httpFirstLine(joined);
  }
}

function newSideLog(): SideLog {
  return { loggedEncrypted: 0, earlyRecords: 0, sawApplicationData: false, firstLine: null };
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

/** No byte outside printable ASCII before the first CR or LF: may still be the start of an HTTP line. */
function isPrintable(bytes: Uint8Array): boolean {
  for (const c of bytes) {
    if (c === 0x0d || c === 0x0a) return true;
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}
