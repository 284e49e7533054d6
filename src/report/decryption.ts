import type { ConnectionReport } from '../model/types.js';

/** What decrypted a connection, in words: "the key log", "the server's private key", "the pre-shared key". */
export function decryptionSource(c: Pick<ConnectionReport, 'decryptedWith'>): string {
  if (c.decryptedWith === 'private-key') return "the server's private key";
  if (c.decryptedWith === 'psk') return 'the pre-shared key';
  return 'the key log';
}
