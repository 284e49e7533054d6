import { findMessage } from '../../model/report.js';
import { cipherSuiteKeyExchange } from '../../tls/registry/key-exchange.js';
import { isTls13 } from '../../tls/registry/protocol-versions.js';
import type { CatalogEntry, Rule } from '../types.js';

const EPHEMERAL = new Set(['ecdhe', 'dhe', 'ecdhe_psk', 'dhe_psk']);

/** The catalog entries of the findings this module's rules produce (docs/findings.md is rendered from them). */
export const privateKeyCannotDecryptFindings = [
  {
    id: 'private-key-cannot-decrypt',
    about: 'keys',
    severity: 'info',
    title: 'The server\'s private key cannot decrypt this connection: (EC)DHE key exchange',
    meaning: 'A private key was given (--key), but this connection agreed its keys by ephemeral (EC)DHE, as every TLS 1.3 and every ECDHE/DHE suite does. The server\'s key only signed the exchange; the secret never crossed the wire, so no private key can open it.',
    evidence: 'The ServerHello frame; the version, cipher suite and key exchange.',
    remedy: 'Record a key log on the client or the server (SSLKEYLOGFILE, openssl -keylogfile, jSSLKeyLog for Java) and give it with --keylog; the private key opens only TLS_RSA_* sessions.',
  },
] as const satisfies readonly CatalogEntry[];

/**
 * --key was given, but the session agreed its keys by (EC)DHE (every TLS 1.3 session does): the server's
 * private key only signed the exchange, so it cannot open the session; only a key log can.
 */
export const privateKeyCannotDecrypt: Rule = {
  produces: ['private-key-cannot-decrypt'],
  run({ connection, report }, context) {
    if (context.privateKeyGiven !== true || connection.keysFound || connection.version === null || connection.cipherSuite === null) return [];
    const tls13 = isTls13(connection.version);
    const kx = tls13 ? 'tls13' : cipherSuiteKeyExchange(connection.cipherSuite);
    if (!tls13 && (kx === null || !EPHEMERAL.has(kx))) return [];
    const how = tls13 ? 'TLS 1.3, whose key exchange is always (EC)DHE' : `${report.cipherSuite ?? 'its cipher suite'}, an ephemeral (EC)DHE key exchange`;
    const serverHello = findMessage(connection, 'server', 'ServerHello');
    return [
      {
        id: 'private-key-cannot-decrypt',
        explanation: `This connection uses ${how}: the server's private key only signed the key exchange, so --key cannot decrypt it. Only a key log (or pcapng secrets) from the client or the server opens it.`,
        evidence: { frames: serverHello ? [serverHello.frame] : [], fields: { version: report.version, cipher_suite: report.cipherSuite, key_exchange: kx } },
      },
    ];
  },
};
