import type { KeyProvider } from '../keys.js';
import { canDecrypt, cipherSuiteParams } from './cipher-suites.js';
import type { KeyLog } from './key-log.js';
import { tls12Decryptors, type Tls12Decryptors } from './tls12.js';
import { Tls13KeySchedule } from './tls13.js';

/**
 * The connection driver's view of a key log (src/tls/keys.ts): decryptors per connection, looked up by the
 * ClientHello random. Null means "no usable secrets for this connection or suite"; the driver tells those
 * apart with has() and canDecrypt().
 */
export function createKeyProvider(keyLog: KeyLog): KeyProvider {
  return {
    has: (clientRandom) => keyLog.has(clientRandom),
    tls13(clientRandom, cipherSuite): Tls13KeySchedule | null {
      const secrets = keyLog.secretsFor(clientRandom);
      if (secrets === undefined || !canDecrypt(cipherSuite)) return null;
      return Tls13KeySchedule.create(cipherSuite, secrets);
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
