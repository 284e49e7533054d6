import type { Rule } from '../types.js';

/** Keys were found for the connection but a record did not authenticate with them: said once. */
export const keylogMismatch: Rule = {
  produces: ['keylog-mismatch'],
  run({ connection }) {
    const mismatch = connection.keyMismatch;
    if (!mismatch) return [];
    return [
      {
        id: 'keylog-mismatch',
        explanation: `The key log holds secrets for this connection's client random, but a ${mismatch.side} record in frame ${mismatch.frame} failed to decrypt with them (${mismatch.reason}); what follows that record stays encrypted.`,
        evidence: { frames: [mismatch.frame], fields: { side: mismatch.side, reason: mismatch.reason } },
      },
    ];
  },
};
