import type { CatalogEntry, Rule } from '../types.js';

/** The catalog entries of the findings this module's rules produce (docs/findings.md is rendered from them). */
export const keylogMismatchFindings = [
  {
    id: 'keylog-mismatch',
    about: 'keys',
    severity: 'warning',
    title: 'The key log\'s secrets do not decrypt this connection',
    meaning: 'The key log holds secrets for this connection\'s client random, but a record failed to authenticate with them: the file is wrong, truncated or mixed up between sessions. What follows stays encrypted.',
    evidence: 'The frame and side of the first record that failed, and why.',
    remedy: 'Use the key log written by the same client process for this capture (SSLKEYLOGFILE appends; one file may hold several runs).',
  },
] as const satisfies readonly CatalogEntry[];

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
