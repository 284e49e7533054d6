export { parseHandshakeMessage } from './parse.js';
export { parseSsl2ClientHello } from './sslv2-client-hello.js';
export { parseClientHello } from './client-hello.js';
export { parseServerHello, HELLO_RETRY_REQUEST_RANDOM } from './server-hello.js';
export { parseCertificate } from './certificate.js';
export { parseCertificateRequest } from './certificate-request.js';
export { parseServerKeyExchange } from './server-key-exchange.js';
export { TlsParseError } from './errors.js';
export type * from './types.js';
