import { HandshakeType } from '../registry/handshake-types.js';
import { TLS_1_3 } from '../registry/protocol-versions.js';
import { parseCertificate } from './certificate.js';
import { parseCertificateRequest } from './certificate-request.js';
import { parseClientHello } from './client-hello.js';
import { parseServerHello } from './server-hello.js';
import { parseServerKeyExchange } from './server-key-exchange.js';
import {
  expectEmpty,
  parseCertificateStatus,
  parseCertificateVerify,
  parseClientKeyExchange,
  parseEncryptedExtensions,
  parseFinished,
  parseKeyUpdate,
  parseNewSessionTicket,
} from './simple-messages.js';
import type { HandshakeMessage, ParseContext } from './types.js';

/**
 * Parses one complete handshake message. `body` is the message without its 4-byte header.
 * Throws TlsParseError (what was expected, at which offset in the body) on malformed input.
 */
export function parseHandshakeMessage(msgType: number, body: Uint8Array, context: ParseContext = {}): HandshakeMessage {
  const tls13 = context.version === TLS_1_3;
  switch (msgType) {
    case HandshakeType.helloRequest:
      expectEmpty(body, 'HelloRequest');
      return { type: 'HelloRequest' };
    case HandshakeType.clientHello:
      return parseClientHello(body);
    case HandshakeType.serverHello:
      return parseServerHello(body);
    case HandshakeType.newSessionTicket:
      return parseNewSessionTicket(body, tls13);
    case HandshakeType.endOfEarlyData:
      expectEmpty(body, 'EndOfEarlyData');
      return { type: 'EndOfEarlyData' };
    case HandshakeType.encryptedExtensions:
      return parseEncryptedExtensions(body);
    case HandshakeType.certificate:
      return parseCertificate(body, tls13);
    case HandshakeType.serverKeyExchange:
      return parseServerKeyExchange(body, context.cipherSuite, context.version);
    case HandshakeType.certificateRequest:
      return parseCertificateRequest(body, context.version);
    case HandshakeType.serverHelloDone:
      expectEmpty(body, 'ServerHelloDone');
      return { type: 'ServerHelloDone' };
    case HandshakeType.certificateVerify:
      return parseCertificateVerify(body, context.version);
    case HandshakeType.clientKeyExchange:
      return parseClientKeyExchange(body);
    case HandshakeType.finished:
      return parseFinished(body);
    case HandshakeType.certificateStatus:
      return parseCertificateStatus(body);
    case HandshakeType.keyUpdate:
      return parseKeyUpdate(body);
    default:
      return { type: 'Unknown', msgType, body };
  }
}
