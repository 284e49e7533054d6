import type { HandshakeMessage } from './handshake/types.js';
import type { Side } from './side.js';

/**
 * What one TLS connection showed, in wire order. Each event carries the frame that completed it (as
 * Wireshark attributes a reassembled message) and the capture time of that frame in seconds.
 */
export type TlsEvent =
  | HandshakeEvent
  | AlertEvent
  | EncryptedAlertEvent
  | ChangeCipherSpecEvent
  | EncryptedRecordEvent
  | ApplicationDataEvent
  | StreamGapEvent
  | ParseErrorEvent
  | CloseEvent;

interface EventBase {
  side: Side;
  frame: number;
  time: number;
}

export interface HandshakeEvent extends EventBase {
  kind: 'handshake';
  firstFrame: number;
  message: HandshakeMessage;
  /** The message came out of a decrypted record. */
  decrypted: boolean;
}

/** An alert read: in the clear, or decrypted. */
export interface AlertEvent extends EventBase {
  kind: 'alert';
  /** 1 warning, 2 fatal. */
  level: number;
  /** IANA AlertDescription. */
  description: number;
  /** It came out of a decrypted record. */
  decrypted: boolean;
}

/**
 * An alert no key opened. TLS 1.0-1.2 show the record's type (content-type); TLS 1.3 hides it, and only the
 * record's size (2 bytes of alert, the inner type, an AEAD tag) says it is probably one.
 */
export interface EncryptedAlertEvent extends EventBase {
  kind: 'encrypted-alert';
  shownBy: 'content-type' | 'size';
  /** The record's length on the wire. */
  length: number;
}

export interface ChangeCipherSpecEvent extends EventBase {
  kind: 'change-cipher-spec';
}

/** A record that could not be read because it is encrypted and no key opened it. */
export interface EncryptedRecordEvent extends EventBase {
  kind: 'encrypted-record';
  contentType: number;
  length: number;
  /** TLS 1.2 handshake record after ChangeCipherSpec: the Finished message. */
  probableFinished: boolean;
}

/** The first application-data record of a side; later ones are only counted. */
export interface ApplicationDataEvent extends EventBase {
  kind: 'application-data';
  /** TLS 1.3 0-RTT data: the client's application data sent with its ClientHello, before the handshake. */
  early: boolean;
  length: number;
  decrypted: boolean;
  /** When decrypted and it looks like HTTP/1: its first line, nothing more of the payload. */
  firstLine: string | null;
}

export interface StreamGapEvent extends EventBase {
  kind: 'gap';
  missing: number;
  /** The gap came before the handshake was over: parsing of that side stopped there. */
  inHandshake: boolean;
}

export interface ParseErrorEvent extends EventBase {
  kind: 'parse-error';
  message: string;
}

export interface CloseEvent extends EventBase {
  kind: 'close';
  closeKind: 'fin' | 'rst';
}
