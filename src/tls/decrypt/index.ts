export { KeyLog, KeyLogWarnings, parseKeyLog, DSB_TLS_KEY_LOG, MAX_KEY_LOG_CONNECTIONS, MAX_KEY_LOG_LINE_LENGTH, MAX_KEY_LOG_WARNINGS } from './key-log.js';
export { canDecrypt, cipherSuiteParams, DECRYPTABLE_CIPHER_SUITES, type CipherSuiteParams, type BulkCipher, type HashName } from './cipher-suites.js';
export { Tls13KeySchedule, Tls13RecordDecryptor, tls13TrafficKeys, tls13NextTrafficSecret, type Tls13Side, type TrafficKeys } from './tls13.js';
export { tls12Decryptors, TLS_1_0, TLS_1_1, TLS_1_2, type Tls12KeyParams, type Tls12Decryptors } from './tls12.js';
export { hkdfExpandLabel } from './hkdf.js';
export { tls12Prf, tls10Prf } from './prf.js';
export { createKeyProvider } from './key-provider.js';
export type * from './types.js';
