import type { CatalogEntry, Rule } from '../types.js';
import { alertLabel, uniqueFrames } from './shared.js';

/** The catalog entries of the findings this module's rules produce (docs/findings.md is rendered from them). */
export const handshakeFailedUnexplainedFindings = [
  {
    id: 'handshake-failed-unexplained',
    about: 'unexplained',
    severity: 'error',
    title: 'The handshake failed (or a side refused the other) and no rule explains why',
    meaning: 'The handshake did not complete, or completed and one side refused the other right after, and none of the specific rules matched. What is known is listed as evidence.',
    evidence: 'The last messages of each side, alerts, and how the connection closed.',
    remedy: 'Check the server and client logs for the connection at the time shown; a key log (for TLS 1.3) or --ca/--server-ca may let tlsdiag say more.',
  },
] as const satisfies readonly CatalogEntry[];

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
