import { findMessage } from '../../model/report.js';
import { cipherSuiteKeyExchange } from '../../tls/registry/key-exchange.js';
import { TLS_1_3 } from '../../tls/registry/protocol-versions.js';
import type { Rule } from '../types.js';

const EPHEMERAL = new Set(['ecdhe', 'dhe', 'ecdhe_psk', 'dhe_psk']);

/**
 * --key was given, but the session agreed its keys by (EC)DHE (every TLS 1.3 session does): the server's
 * private key only signed the exchange, so it cannot open the session; only a key log can.
 */
export const privateKeyCannotDecrypt: Rule = {
  produces: ['private-key-cannot-decrypt'],
  run({ connection, report }, context) {
    if (context.privateKeyGiven !== true || connection.keysFound || connection.version === null || connection.cipherSuite === null) return [];
    const tls13 = connection.version === TLS_1_3;
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
