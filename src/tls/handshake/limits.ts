/**
 * Caps on how many items one handshake message may list. Lengths are already bounded by the message size
 * (MAX_HANDSHAKE_MESSAGE_LENGTH), but a hostile peer can pack a block with thousands of tiny items, each of
 * which becomes an object kept for the connection's whole life. Real peers stay far below these values.
 */

/** Extensions in one block (ClientHello, ServerHello, EncryptedExtensions, CertificateEntry, ...). About 60 types are registered. */
export const MAX_EXTENSIONS_PER_BLOCK = 256;

/** Certificates in one Certificate message. Real chains hold 1-5; OpenSSL's default verify depth is 100. */
export const MAX_CERTIFICATES_PER_CHAIN = 100;

/** Distinguished names in a CertificateRequest or certificate_authorities list; servers that send a whole trust store send a few hundred. */
export const MAX_DISTINGUISHED_NAMES = 2048;
