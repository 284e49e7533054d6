import type { Rule } from '../types.js';
import { alertLabel, uniqueFrames } from './shared.js';

/**
 * Never silence: a failed handshake that no other rule explains still gets a finding. runRules applies it
 * only when no rule found an error-level cause.
 */
export const handshakeFailedUnexplained: Rule = {
  produces: ['handshake-failed-unexplained'],
  run({ facts, report }) {
    if (facts.outcome !== 'failed' && facts.outcome !== 'rejected') return [];
    const last = report.timeline.filter((e) => e.kind !== 'FIN' && e.kind !== 'RST').slice(-3);
    const lastAlert = facts.alerts.at(-1);
    const ending = facts.ending;
    const closing = ending?.close ? `The ${ending.side} closed the connection (${ending.close.toUpperCase()}, frame ${ending.frame}).` : ending ? '' : 'The capture ends before the connection closed.';
    return [
      {
        id: 'handshake-failed-unexplained',
        explanation:
          `${facts.outcome === 'rejected' ? `The handshake completed, then the ${facts.refusalShape?.by ?? 'other side'} refused the connection (frame ${facts.refusalShape?.frame ?? '?'}).` : 'The handshake did not complete.'} Last seen: ${last.map((e) => `${e.from} ${e.kind} (frame ${e.frame})`).join(', ') || 'nothing'}. ${closing}`.trimEnd() +
          (facts.tls13 && report.encryptedHandshake
            ? ' The messages that would say why are encrypted (TLS 1.3 without a key log): tls13-encrypted-handshake says what the record sizes suggest and how to get a key log.'
            : ''),
        evidence: {
          frames: uniqueFrames(last.map((e) => e.frame)),
          fields: { history: report.history, last_alert: lastAlert ? alertLabel(lastAlert) : null, closed_by: ending?.side ?? null },
        },
      },
    ];
  },
};
