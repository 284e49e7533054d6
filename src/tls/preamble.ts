import type { Direction } from '../tcp/types.js';
import { ContentType, MAX_RECORD_LENGTH } from './record/types.js';

/** Plaintext bytes scanned per direction for the start of TLS before the connection is declared not TLS. */
export const MAX_PREAMBLE_SCAN = 64 * 1024;
/** Plaintext bytes kept per direction to name the protocol that preceded TLS. */
export const PREAMBLE_KEPT = 512;

const HANDSHAKE_CLIENT_HELLO = 1;
const HANDSHAKE_SERVER_HELLO = 2;
/** Record header (5 bytes) plus the handshake message type. */
const PROBE_LENGTH = 6;

export interface TlsStart {
  /** Where TLS begins: `carry` bytes from earlier chunks, then `data` from `offset`. */
  carry: Uint8Array;
  data: Uint8Array;
  offset: number;
  /** The handshake message that opens TLS in this direction: 1 ClientHello, 2 ServerHello. */
  messageType: number;
}

/**
 * Finds where TLS starts in a connection that began with another protocol (STARTTLS, SOCKS, an HTTP CONNECT
 * proxy …): the first TLS record carrying a ClientHello or ServerHello. Only a bounded prefix of each direction
 * is scanned and kept, so a plain-text connection costs a fixed amount of work.
 */
export class PlaintextPreamble {
  private readonly scanned: [number, number] = [0, 0];
  private readonly tails: [Uint8Array, Uint8Array] = [new Uint8Array(0), new Uint8Array(0)];
  private readonly kept: [Uint8Array, Uint8Array] = [new Uint8Array(PREAMBLE_KEPT), new Uint8Array(PREAMBLE_KEPT)];
  private readonly keptLength: [number, number] = [0, 0];

  /** True once both directions were scanned up to the limit without finding TLS. */
  get exhausted(): boolean {
    return this.scanned[0] >= MAX_PREAMBLE_SCAN && this.scanned[1] >= MAX_PREAMBLE_SCAN;
  }

  /** The first plaintext bytes of a direction (at most PREAMBLE_KEPT). */
  prefix(direction: Direction): Uint8Array {
    return this.kept[direction].subarray(0, this.keptLength[direction]);
  }

  /** Scans a chunk; returns where TLS starts in it, or null (the chunk is plaintext, or the limit was reached). */
  push(direction: Direction, data: Uint8Array): TlsStart | null {
    if (this.scanned[direction] >= MAX_PREAMBLE_SCAN) return null;
    const tail = this.tails[direction];
    if (tail.length > 0) {
      const joined = new Uint8Array(tail.length + Math.min(data.length, PROBE_LENGTH));
      joined.set(tail);
      joined.set(data.subarray(0, joined.length - tail.length), tail.length);
      for (let i = 0; i < tail.length; i++) {
        if (joined.length - i < PROBE_LENGTH) break;
        const type = helloRecordAt(joined, i);
        if (type !== 0) return { carry: tail.slice(i), data, offset: 0, messageType: type };
      }
    }
    const limit = Math.min(data.length, MAX_PREAMBLE_SCAN - this.scanned[direction]);
    for (let i = 0; i + PROBE_LENGTH <= limit; i++) {
      if (data[i] !== ContentType.handshake) continue;
      const type = helloRecordAt(data, i);
      if (type !== 0) {
        this.keep(direction, data.subarray(0, i));
        return { carry: new Uint8Array(0), data, offset: i, messageType: type };
      }
    }
    this.keep(direction, data.subarray(0, limit));
    this.scanned[direction] += limit;
    // A header may straddle this chunk and the next: keep the last few bytes seen.
    const keepLength = Math.min(PROBE_LENGTH - 1, tail.length + limit);
    const joinedTail = new Uint8Array(keepLength);
    const fromData = Math.min(limit, keepLength);
    const fromTail = keepLength - fromData;
    joinedTail.set(tail.subarray(tail.length - fromTail));
    joinedTail.set(data.subarray(limit - fromData, limit), fromTail);
    this.tails[direction] = joinedTail;
    return null;
  }

  private keep(direction: Direction, bytes: Uint8Array): void {
    const room = PREAMBLE_KEPT - this.keptLength[direction];
    if (room <= 0) return;
    const take = Math.min(room, bytes.length);
    this.kept[direction].set(bytes.subarray(0, take), this.keptLength[direction]);
    this.keptLength[direction] += take;
  }
}

/** 1 or 2 when a TLS handshake record starting with a ClientHello / ServerHello begins at `at`, else 0. */
function helloRecordAt(bytes: Uint8Array, at: number): number {
  if (bytes[at] !== ContentType.handshake || bytes[at + 1] !== 3 || bytes[at + 2]! > 4) return 0;
  const length = (bytes[at + 3]! << 8) | bytes[at + 4]!;
  if (length < 4 || length > MAX_RECORD_LENGTH) return 0;
  const type = bytes[at + 5]!;
  return type === HANDSHAKE_CLIENT_HELLO || type === HANDSHAKE_SERVER_HELLO ? type : 0;
}

/** Protocols recognised before TLS, as named in the JSON output (`upgradedFrom`). */
export type UpgradeProtocol =
  | 'smtp'
  | 'imap'
  | 'pop3'
  | 'ftp'
  | 'ldap'
  | 'xmpp'
  | 'postgres'
  | 'mysql'
  | 'socks4'
  | 'socks5'
  | 'http-connect'
  | 'unknown';

const LDAP_START_TLS_OID = '1.3.6.1.4.1.1466.20037';
const POSTGRES_SSL_REQUEST = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];

/** Names the protocol whose plaintext preceded TLS, from the first bytes each side sent. */
export function identifyUpgrade(client: Uint8Array, server: Uint8Array): UpgradeProtocol {
  const clientText = latin1(client).toUpperCase();
  const serverText = latin1(server);
  if (POSTGRES_SSL_REQUEST.every((b, i) => client[i] === b)) return 'postgres';
  if (client[0] === 0x05 && client.length >= 3 && client[1]! >= 1 && client[1]! <= 16) return 'socks5';
  if (client[0] === 0x04 && (client[1] === 0x01 || client[1] === 0x02)) return 'socks4';
  if (clientText.startsWith('CONNECT ')) return 'http-connect';
  if (latin1(client).includes(LDAP_START_TLS_OID)) return 'ldap';
  if (/<starttls[\s/>]/i.test(latin1(client)) || serverText.includes('<proceed')) return 'xmpp';
  if (/^220[ -]/.test(serverText) && /(^|\n)(EHLO|HELO)\b/.test(clientText) && clientText.includes('STARTTLS')) return 'smtp';
  if (clientText.includes('AUTH TLS') || clientText.includes('AUTH SSL')) return 'ftp';
  if (serverText.startsWith('* OK') || /^\S+ STARTTLS/m.test(clientText)) return 'imap';
  if (serverText.startsWith('+OK') && /(^|\n)STLS\b/.test(clientText)) return 'pop3';
  // MySQL: the server speaks first with a protocol-10 handshake packet; the client answers with an SSL request.
  if (server.length > 5 && server[3] === 0 && server[4] === 0x0a) return 'mysql';
  return 'unknown';
}

function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

/** A STARTTLS-style upgrade the server turned down: the command and the server's status line, nothing more. */
export interface UpgradeRefusal {
  protocol: UpgradeProtocol;
  /** What the client sent to ask for TLS (`STARTTLS`, `a1 STARTTLS`, `STLS`, `AUTH TLS`, `SSLRequest`). */
  command: string;
  /** The server's answer, as sent (one line, control characters removed), or `N` for PostgreSQL. */
  reply: string;
}

const MAX_LINE_SHOWN = 200;

/**
 * Finds a refused upgrade in the plaintext of a connection that never turned to TLS: the client's request for
 * TLS and the server's refusal (SMTP 4xx/5xx, IMAP NO/BAD, POP3 -ERR, FTP 4xx/5xx to AUTH TLS, XMPP
 * <failure/>, PostgreSQL N). Null when the client never asked, or the server did not answer with a refusal.
 */
export function findUpgradeRefusal(client: Uint8Array, server: Uint8Array): UpgradeRefusal | null {
  if (POSTGRES_SSL_REQUEST.every((b, i) => client[i] === b)) {
    return server[0] === 0x4e ? { protocol: 'postgres', command: 'SSLRequest', reply: 'N' } : null;
  }
  if (latin1(client).includes(LDAP_START_TLS_OID)) {
    const result = ldapExtendedResult(server);
    if (result === null || result.code === 0) return null;
    const name = LDAP_RESULT_NAMES[result.code];
    const reply = `resultCode ${result.code}${name ? ` (${name})` : ''}${result.diagnostic ? `: ${result.diagnostic}` : ''}`;
    return { protocol: 'ldap', command: 'StartTLS extended request', reply: shown(reply) };
  }
  const clientLines = lines(latin1(client));
  const serverLines = lines(latin1(server));
  const asked = (pattern: RegExp) => clientLines.find((l) => pattern.test(l));
  const refusal = (protocol: UpgradeProtocol, command: string | undefined, reply: string | undefined): UpgradeRefusal | null =>
    command !== undefined && reply !== undefined ? { protocol, command: shown(command), reply: shown(reply) } : null;

  const greeting = serverLines[0] ?? '';
  // The client waits for the answer to its request: the server's last line is it (a client may send its
  // ClientHello regardless, as openssl s_client -starttls does).
  const last = serverLines.length > 1 ? serverLines[serverLines.length - 1] : undefined;
  const lastIf = (pattern: RegExp) => (last !== undefined && pattern.test(last) ? last : undefined);
  if (/^220[ -]/.test(greeting)) {
    const smtp = asked(/^STARTTLS\s*$/i);
    if (smtp !== undefined) return refusal('smtp', smtp, lastIf(/^[45]\d\d[ -]/));
    const ftp = asked(/^AUTH (TLS|SSL)\b/i);
    if (ftp !== undefined) return refusal('ftp', ftp, lastIf(/^[45]\d\d /));
    return null;
  }
  if (/^\* OK\b/i.test(greeting)) {
    const imap = asked(/^\S+ STARTTLS\s*$/i);
    if (imap === undefined) return null;
    const tag = imap.split(' ')[0]!;
    return refusal('imap', imap, serverLines.find((l) => l.startsWith(`${tag} `) && /^\S+ (NO|BAD)\b/i.test(l)));
  }
  if (/^\+OK\b/.test(greeting)) {
    return refusal('pop3', asked(/^STLS\s*$/i), lastIf(/^-ERR\b/));
  }
  const serverText = latin1(server);
  if (/<starttls[\s/>]/i.test(latin1(client))) {
    const failure = /<failure\s+xmlns=['"]urn:ietf:params:xml:ns:xmpp-tls['"]\s*\/?>/.exec(serverText);
    return failure ? { protocol: 'xmpp', command: '<starttls/>', reply: shown(failure[0]) } : null;
  }
  return null;
}

/** Result codes a server gives a StartTLS request it will not honour (RFC 4511 §4.1.9, RFC 4513 §3.1.2). */
const LDAP_RESULT_NAMES: Record<number, string> = {
  1: 'operationsError',
  2: 'protocolError',
  51: 'busy',
  52: 'unavailable',
  53: 'unwillingToPerform',
  80: 'other',
};

const BER_SEQUENCE = 0x30;
const BER_INTEGER = 0x02;
const BER_ENUMERATED = 0x0a;
const BER_OCTET_STRING = 0x04;
const LDAP_EXTENDED_RESPONSE = 0x78; // [APPLICATION 24], constructed

/**
 * The resultCode and diagnosticMessage of the first LDAP ExtendedResponse in the server's bytes
 * (LDAPMessage: SEQUENCE { messageID INTEGER, [APPLICATION 24] { resultCode, matchedDN, diagnosticMessage … } }),
 * or null when the bytes hold none. Every length is checked against the bytes there are.
 */
function ldapExtendedResult(bytes: Uint8Array): { code: number; diagnostic: string } | null {
  const message = berAt(bytes, 0);
  if (message === null || message.tag !== BER_SEQUENCE) return null;
  const id = berAt(bytes, message.start);
  if (id === null || id.tag !== BER_INTEGER) return null;
  const op = berAt(bytes, id.end);
  if (op === null || op.tag !== LDAP_EXTENDED_RESPONSE) return null;
  const code = berAt(bytes, op.start);
  if (code === null || code.tag !== BER_ENUMERATED || code.end - code.start < 1 || code.end - code.start > 4) return null;
  let value = 0;
  for (let i = code.start; i < code.end; i++) value = value * 256 + bytes[i]!;
  const matched = berAt(bytes, code.end);
  const diagnostic = matched !== null && matched.tag === BER_OCTET_STRING ? berAt(bytes, matched.end) : null;
  const text = diagnostic !== null && diagnostic.tag === BER_OCTET_STRING ? latin1(bytes.subarray(diagnostic.start, diagnostic.end)) : '';
  return { code: value, diagnostic: text };
}

/** One BER TLV at `at` (definite lengths up to 4 bytes), or null when it does not fit in the bytes. */
function berAt(bytes: Uint8Array, at: number): { tag: number; start: number; end: number } | null {
  if (at + 2 > bytes.length) return null;
  const tag = bytes[at]!;
  let length = bytes[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > bytes.length) return null;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i]!;
    start += count;
  }
  const end = start + length;
  return end <= bytes.length ? { tag, start, end } : null;
}

/** How many leading bytes firstPrintableLine looks at. */
const FIRST_LINE_SCAN = 512;

/**
 * The first printable line of another protocol's bytes (among those in the first 512 bytes), control characters
 * removed and at most 200 characters, or null when every line there is mostly binary (a fifth or more of its
 * bytes not printable): nothing else is kept.
 */
export function firstPrintableLine(bytes: Uint8Array): string | null {
  const text = latin1(bytes.subarray(0, FIRST_LINE_SCAN));
  for (const line of text.split(/[\r\n]+/)) {
    if (line.trim().length === 0) continue;
    let unprintable = 0;
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if ((c < 0x20 && c !== 0x09) || c > 0x7e) unprintable++;
    }
    if (unprintable * 5 >= line.length) continue;
    const kept = shown(line).trim();
    if (kept.length > 0) return kept;
  }
  return null;
}

/** A MySQL/MariaDB server greeting's version string (NUL-terminated after the protocol version byte), or null. */
export function mysqlServerVersion(bytes: Uint8Array): string | null {
  const end = bytes.indexOf(0, 5);
  if (end < 0) return null;
  const version = shown(latin1(bytes.subarray(5, end)));
  return version.length > 0 ? version : null;
}

/** The protocol of plaintext where TLS was due, when its first bytes say: HTTP, or a MySQL/MariaDB server greeting. */
export function plaintextProtocol(bytes: Uint8Array): 'http' | 'mysql' | null {
  if (httpLineKind(firstPrintableLine(bytes)) !== null) return 'http';
  // MySQL packet header (3-byte length, sequence 0), then protocol version 10.
  if (bytes.length > 5 && bytes[3] === 0 && bytes[4] === 0x0a && (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16)) + 4 >= 5) return 'mysql';
  return null;
}

const HTTP_STATUS_LINE = /^HTTP\/\d(?:\.\d)? (\d{3})\b/;

/** The status code of an HTTP/1 status line (`HTTP/1.1 400 Bad Request` → 400), else null. */
export function httpStatusCode(line: string): number | null {
  const match = HTTP_STATUS_LINE.exec(line);
  return match ? Number(match[1]) : null;
}

/** What an HTTP/1 first line is: a request line (`GET / HTTP/1.1`), a status line (`HTTP/1.1 400 Bad Request`), an HTML page. */
export function httpLineKind(line: string | null): 'request' | 'status' | 'html' | null {
  if (line === null) return null;
  if (httpStatusCode(line) !== null) return 'status';
  if (/^[A-Z]+ \S+ HTTP\/\d(\.\d)?$/.test(line)) return 'request';
  if (/^<(!DOCTYPE html|html)\b/i.test(line)) return 'html';
  return null;
}

/**
 * Pages HTTP servers send when plain HTTP reached their TLS port: nginx ("400 The plain HTTP request was sent to
 * HTTPS port"), Go's net/http, Apache httpd. Seen in the first bytes of the server's answer.
 */
const HTTPS_PORT_PAGES = [
  'The plain HTTP request was sent to HTTPS port',
  'Client sent an HTTP request to an HTTPS server',
  'speaking plain HTTP to an SSL-enabled server port',
];

/** True when the server's first bytes are an HTTP server's "plain HTTP sent to the HTTPS port" answer. */
export function isHttpsPortPage(server: Uint8Array): boolean {
  const text = latin1(server);
  return HTTPS_PORT_PAGES.some((page) => text.includes(page));
}

function lines(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => l.length > 0);
}

/** One line for the report: printable ASCII only, bounded. */
function shown(line: string): string {
  return line.replace(/[^\x20-\x7e]/g, '').slice(0, MAX_LINE_SHOWN);
}
