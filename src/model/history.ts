import type { TlsEvent } from '../tls/events.js';
import type { HandshakeMessage } from '../tls/handshake/types.js';

/**
 * A compact history of the connection in the spirit of Zeek's `ssl_history`: one letter per message, upper
 * case when the client sent it, lower case for the server. Zeek's letters are kept where Zeek has one; the
 * additions are documented in docs/output.md.
 */
const MESSAGE_LETTERS: Record<HandshakeMessage['type'], string> = {
  HelloRequest: 'H',
  ClientHello: 'C',
  ServerHello: 'S',
  HelloRetryRequest: 'J',
  NewSessionTicket: 'T',
  EndOfEarlyData: 'E',
  EncryptedExtensions: 'O',
  Certificate: 'X',
  ServerKeyExchange: 'K',
  CertificateRequest: 'R',
  ServerHelloDone: 'N',
  CertificateVerify: 'Y',
  ClientKeyExchange: 'G',
  Finished: 'F',
  CertificateStatus: 'U',
  KeyUpdate: 'P',
  Unknown: 'Z',
};

function letterOf(event: TlsEvent): string | null {
  switch (event.kind) {
    case 'handshake':
      return MESSAGE_LETTERS[event.message.type];
    case 'alert':
    case 'encrypted-alert':
      return 'L';
    case 'change-cipher-spec':
      return 'I';
    case 'application-data':
      return 'D';
    case 'encrypted-record':
      // Zeek sees a TLS 1.3 encrypted handshake as application data; tlsdiag says what it can tell.
      return event.probableFinished ? 'F' : 'Q';
    case 'gap':
      return '^';
    case 'parse-error':
      return '!';
    case 'close':
      return null;
  }
}

export function historyOf(events: readonly TlsEvent[]): string {
  let history = '';
  let previous = '';
  for (const event of events) {
    const letter = letterOf(event);
    if (letter === null) continue;
    const cased = event.side === 'client' ? letter : letter.toLowerCase();
    // Runs of encrypted records from one side read as one flight.
    if (cased === previous && (letter === 'Q' || letter === 'D')) continue;
    history += cased;
    previous = cased;
  }
  return history;
}
