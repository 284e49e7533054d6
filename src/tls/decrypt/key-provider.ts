import type { KeyExchangeOpener, KeyProvider } from '../keys.js';
import { canDecrypt, cipherSuiteParams } from './cipher-suites.js';
import type { KeyLog } from './key-log.js';
import { tls12Decryptors, type Tls12Decryptors } from './tls12.js';
import { recordProtectionOf, Tls13KeySchedule } from './tls13.js';

/**
 * The connection driver's view of a key log (src/tls/keys.ts): decryptors per connection, looked up by the
 * ClientHello random. Null means "no usable secrets for this connection or suite" (TLS 1.3: no handshake
 * traffic secret of the suite's hash size); the driver tells those apart with has() and canDecrypt().
 */
export function createKeyProvider(keyLog: KeyLog, exchange?: KeyExchangeOpener): KeyProvider {
  return {
    exchange,
    has: (clientRandom) => keyLog.has(clientRandom),
    tls13(clientRandom, cipherSuite, variant = null): Tls13KeySchedule | null {
      const secrets = keyLog.secretsFor(clientRandom);
      if (secrets === undefined || !canDecrypt(cipherSuite)) return null;
      const schedule = Tls13KeySchedule.create(cipherSuite, secrets, recordProtectionOf(variant));
      // Secrets that open neither side's handshake (missing, or sized for another hash) are no keys: the
      // driver takes a schedule as "keys found" and would call a connection it cannot read decrypted.
      if (schedule === null || (schedule.clientHandshake === null && schedule.serverHandshake === null)) return null;
      return schedule;
    },
    tls12(params): Tls12Decryptors | null {
      const masterSecret = keyLog.secretsFor(params.clientRandom)?.masterSecret;
      const suite = cipherSuiteParams(params.cipherSuite);
      if (masterSecret === undefined || suite === undefined) return null;
      return tls12Decryptors({
        suite: params.cipherSuite,
        version: params.version,
        masterSecret,
        clientRandom: params.clientRandom,
        serverRandom: params.serverRandom,
        encryptThenMac: params.encryptThenMac,
      });
    },
    get size() {
      return keyLog.size;
    },
  };
}
