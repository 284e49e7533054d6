import type { Rule } from '../types.js';

/** Keys were found for the connection but a record did not authenticate with them: said once. */
export const keylogMismatch: Rule = {
  produces: ['keylog-mismatch'],
  run({ connection }) {
    const mismatch = connection.keyMismatch;
    if (!mismatch) return [];
    // --key and --psk derive the keys from the handshake: a mismatch there is a wrong PSK, or a client that
    // sent a malformed premaster, not a wrong key log.
    const source =
      connection.keysFrom === 'psk'
        ? 'The pre-shared key given (--psk) was used to derive this connection\'s keys'
        : connection.keysFrom === 'private-key'
          ? 'The server\'s private key (--key) opened this connection\'s key exchange'
          : 'The key log holds secrets for this connection\'s client random';
    return [
      {
        id: 'keylog-mismatch',
        explanation: `${source}, but a ${mismatch.side} record in frame ${mismatch.frame} failed to decrypt with them (${mismatch.reason}); what follows that record stays encrypted.`,
        evidence: { frames: [mismatch.frame], fields: { side: mismatch.side, reason: mismatch.reason } },
      },
    ];
  },
};
