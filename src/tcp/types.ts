/** 0: from the initiator (SYN sender, or the first sender seen) to the responder; 1: the other way. */
export type Direction = 0 | 1;

export interface Endpoint {
  /** Dotted IPv4 or RFC 5952 IPv6 text. */
  ip: string;
  port: number;
}

export type CloseKind = 'fin' | 'rst';

export interface CloseEvent {
  direction: Direction;
  kind: CloseKind;
  frame: number;
  /** Seconds since the Unix epoch. */
  time: number;
}

/**
 * What the reassembler knows about one TCP connection, kept up to date until its end. Read-only for the
 * consumer: it is the reassembler's own record of the connection (the endpoints and counts are made when read).
 */
export interface TcpConnectionInfo {
  /** 0-based, in order of first packet; distinct for a new SYN on a reused 4-tuple. */
  readonly id: number;
  readonly initiator: Endpoint;
  readonly responder: Endpoint;
  /** True when the capture holds the initiator's SYN. */
  readonly sawSyn: boolean;
  readonly firstFrame: number;
  readonly firstTime: number;
  readonly lastFrame: number;
  readonly lastTime: number;
  /** First FIN or RST seen, in either direction. */
  readonly firstClose: CloseEvent | null;
  /** Payload bytes seen per direction (including those not kept). */
  readonly bytes: readonly [number, number];
  readonly packets: readonly [number, number];
}

/**
 * Receives one connection's in-order bytes. The `data` view is valid only during the call.
 * A gap says the capture lost `missing` bytes at that point of the stream.
 */
export interface StreamHandler {
  data(direction: Direction, data: Uint8Array, frame: number, time: number): void;
  /** `ownLimit`: set when the bytes were not lost by the capture but given up by tlsdiag's reassembly limit. */
  gap(direction: Direction, missing: number, frame: number, time: number, ownLimit?: string): void;
  /** A FIN or RST seen in that direction. */
  close?(event: CloseEvent): void;
  /** The connection is over: closed, evicted or the capture ended. No calls follow. */
  end(info: TcpConnectionInfo): void;
}

/** Decides, per new connection, whether and how its bytes are consumed. */
export interface StreamConsumer {
  open(info: TcpConnectionInfo, control: StreamControl): StreamHandler | null;
}

/** Lets a consumer tell the reassembler to stop keeping bytes of a direction (they are still counted). */
export interface StreamControl {
  ignore(direction: Direction): void;
}
