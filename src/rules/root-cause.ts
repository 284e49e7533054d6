import type { AlertFact, ConnectionFacts } from '../facts/types.js';
import type { Finding } from '../model/types.js';
import { ALERT_DESCRIPTION_CODES as CODE } from '../tls/registry/alerts.js';
import { catalogEntry, type FindingId } from './catalog.js';
import { NARRATION_IDS } from './registry.js';
import type { FindingAbout } from './types.js';

/** Alerts a side sends when it refuses the other side's certificate. */
const CERTIFICATE_ALERTS: ReadonlySet<number> = new Set([
  CODE['bad_certificate']!,
  CODE['unsupported_certificate']!,
  CODE['certificate_revoked']!,
  CODE['certificate_expired']!,
  CODE['certificate_unknown']!,
  CODE['unknown_ca']!,
  CODE['access_denied']!,
  CODE['certificate_required']!,
  CODE['bad_certificate_status_response']!,
]);

/**
 * Which causes each alert names most precisely, by finding id. OpenSSL answers an expired certificate with
 * certificate_expired, an unknown issuer with unknown_ca, a name mismatch, a not-yet-valid certificate or a
 * weak key with bad_certificate; a server that got no certificate with handshake_failure or
 * certificate_required.
 */
const PRECISE: ReadonlyMap<number, ReadonlySet<FindingId>> = new Map<number, ReadonlySet<FindingId>>([
  [CODE['certificate_expired']!, new Set<FindingId>(['client-cert-expired', 'server-cert-expired'])],
  [
    CODE['unknown_ca']!,
    new Set<FindingId>(['client-cert-issuer-not-accepted', 'client-chain-incomplete', 'client-chain-untrusted', 'server-chain-incomplete', 'server-cert-untrusted', 'server-chain-untrusted', 'server-cert-self-signed', 'verify-depth-exceeded']),
  ],
  [
    CODE['bad_certificate']!,
    new Set<FindingId>(['server-cert-name-mismatch', 'client-cert-not-yet-valid', 'server-cert-not-yet-valid', 'weak-key', 'weak-signature-algorithm', 'client-cert-keyusage-no-signature']),
  ],
  [CODE['unsupported_certificate']!, new Set<FindingId>(['client-cert-eku-missing-clientauth', 'server-cert-eku-missing-serverauth', 'client-cert-type-not-requested'])],
  [CODE['certificate_required']!, new Set<FindingId>(['client-cert-empty', 'client-cert-not-sent'])],
  [CODE['handshake_failure']!, new Set<FindingId>(['client-cert-empty', 'client-cert-not-sent', 'no-shared-cipher', 'client-cert-type-not-requested'])],
  [CODE['protocol_version']!, new Set<FindingId>(['protocol-version-mismatch'])],
  [CODE['certificate_revoked']!, new Set<FindingId>(['ocsp-stapled-revoked', 'client-cert-revoked', 'server-cert-revoked'])],
  [CODE['bad_certificate_status_response']!, new Set<FindingId>(['ocsp-stapled-revoked', 'ocsp-stapled-unknown', 'ocsp-stapled-stale'])],
]);

/** The side whose certificate an alert or refusal from `side` is about. */
function certificateAbout(side: 'client' | 'server'): FindingAbout {
  return side === 'server' ? 'client-certificate' : 'server-certificate';
}

/**
 * The one error that explains a failed or rejected connection: the finding that explains the fatal alert and
 * whose kind fits the alert's code and sender (a client's bad_certificate after a name mismatch is the
 * mismatch), else the refusal's side; ties go to the earlier rule (most specific first). null when there is no
 * error-level cause.
 */
export function pickRootCause(facts: ConnectionFacts, findings: readonly Finding[]): Finding | null {
  const candidates = findings.filter((f) => f.severity === 'error' && !NARRATION_IDS.has(f.id));
  if (candidates.length <= 1) return candidates[0] ?? null;
  const alert = facts.fatalAlert;
  const refusedBy = alert?.side ?? facts.refusalShape?.by ?? null;
  let best: Finding | null = null;
  let bestScore = -1;
  for (const f of candidates) {
    const score = fit(f, alert, refusedBy);
    if (score > bestScore) {
      best = f;
      bestScore = score;
    }
  }
  return best;
}

function fit(f: Finding, alert: AlertFact | null, refusedBy: 'client' | 'server' | null): number {
  const about = catalogEntry(f.id).about;
  let score = 0;
  if (alert !== null && f.explainsAlertFrame === alert.frame) score += 1;
  if (refusedBy !== null && (about === certificateAbout(refusedBy) || about === 'certificate-strength')) score += 2;
  if (alert !== null && alert.code !== null) {
    if (PRECISE.get(alert.code)?.has(f.id)) score += 4;
    else if (CERTIFICATE_ALERTS.has(alert.code) && about !== certificateAbout(alert.side) && about !== 'certificate-strength') score -= 2;
  }
  return score;
}
