/**
 * Malformed handshake message. `offset` is counted from the start of the message body (after the 4-byte
 * handshake header); `expected` says what should have been there.
 */
export class TlsParseError extends Error {
  override readonly name = 'TlsParseError';
  constructor(
    message: string,
    readonly offset: number,
    readonly expected: string,
    /** tlsdiag's own cap on a count was reached: the message may be valid, tlsdiag did not read it. */
    readonly ownLimit = false,
  ) {
    super(message);
  }
}
