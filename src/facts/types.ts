import type { Side } from '../tls/side.js';
import type { DecodedCertificate } from '../x509/types.js';

/**
 * How one connection ended, judged from the wire once (docs/output.md, `outcome`):
 * - `established`: the handshake completed and neither side refused the other;
 * - `rejected`: the handshake completed, then one side refused the other (nginx's 400 after a bad client
 *   certificate, a TLS 1.3 server's alert or close right after the client's Finished, a client that hung up
 *   on a server certificate it did not accept);
 * - `failed`: the handshake was aborted (a fatal alert, or a close before it completed);
 * - `incomplete`: the capture does not show how it ended (it starts or stops inside the handshake, or lost
 *   handshake bytes);
 * - `not-tls`: one side did not speak TLS;
 * - `not-understood`: tlsdiag could not read what was sent (a cap of its own, a variant it does not know);
 * - `upgrade-refused`: the server refused a STARTTLS-style upgrade.
 */
export type Outcome = 'established' | 'rejected' | 'failed' | 'incomplete' | 'not-tls' | 'not-understood' | 'upgrade-refused';

export const OUTCOMES: readonly Outcome[] = ['established', 'rejected', 'failed', 'incomplete', 'not-tls', 'not-understood', 'upgrade-refused'];

/** An alert as sent: numeric level and description, or null for both when it is encrypted and unread. */
export interface AlertFact {
  side: Side;
  frame: number;
  /** 1 warning, 2 fatal; null when encrypted and not decrypted. */
  level: number | null;
  /** IANA AlertDescription; null when encrypted and not decrypted. */
  code: number | null;
  encrypted: boolean;
}

/** How a side left the connection: the fatal alert it sent, else its first FIN/RST. */
export interface Ending {
  side: Side;
  frame: number;
  /** The fatal alert's description, when the side ended with one (null: encrypted, unread). */
  alert: AlertFact | null;
  close: 'fin' | 'rst' | null;
}

/** The connection's first TCP close: who closed, with a FIN or a RST, in which frame. */
export interface ConnectionClose {
  by: Side;
  kind: 'fin' | 'rst';
  frame: number;
}

/**
 * The application protocol the connection carries, and how tlsdiag knows: the plaintext it was upgraded from,
 * the negotiated ALPN, decrypted content, or only the server's well-known port.
 */
export interface CarriedProtocol {
  name: 'http' | 'smtp' | 'imap' | 'pop3' | 'ftp' | 'ldap' | 'xmpp' | 'postgres' | 'mysql' | 'rdp' | 'proxy' | null;
  basis: 'upgrade' | 'alpn' | 'content' | 'port' | null;
}

/** The client-certificate exchange: whether the server asked, and what the client answered. */
export interface ClientCertificateFacts {
  requestFrame: number | null;
  /** 'not-requested', or what the client answered: no Certificate message, an empty one, a chain. */
  answer: 'not-requested' | 'no-message' | 'empty' | 'chain' | 'unknown';
  certificateFrame: number | null;
}

/**
 * What happened on one connection, computed once from its parsed events (facts stage), for the rules and the
 * report. Everything here is a number, a closed set of strings, or a decoded structure: rules never read the
 * display strings of the report.
 */
export interface ConnectionFacts {
  outcome: Outcome;
  /** Why the outcome is incomplete or not-understood, in words (null otherwise). */
  outcomeDetail: string | null;
  /** Negotiated version as on the wire (effective: supported_versions), null before a ServerHello. */
  version: number | null;
  cipherSuite: number | null;
  tls13: boolean;
  /** Both Finished messages, or proof of them: application data both ways after the hellos. */
  handshakeCompleted: boolean;
  alerts: AlertFact[];
  /** The first fatal alert (or unread encrypted alert before the handshake completed). */
  fatalAlert: AlertFact | null;
  /** Who left first and how (fatal alert or TCP close), or null when the capture shows no end. */
  ending: Ending | null;
  /** The first TCP close (FIN or RST) of either side, even before TLS began; null when the capture shows none. */
  close: ConnectionClose | null;
  /**
   * After a completed handshake, the side that refused the other by the wire's shape: the server answered once
   * and closed first; or the client hung up without sending any data. Whether it was a refusal is decided with
   * the findings (a certificate check that failed), see rules/index.ts.
   */
  refusalShape: { by: Side; frame: number } | null;
  clientCertificate: ClientCertificateFacts;
  /** Decoded chains as sent (undecodable certificates left out); null when no Certificate message was seen. */
  serverChain: DecodedCertificate[] | null;
  clientChain: DecodedCertificate[] | null;
  carried: CarriedProtocol;
  /** The server's first decrypted HTTP status code, with its frame. */
  httpStatus: { code: number; frame: number; line: string } | null;
}
