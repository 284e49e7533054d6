import type { DecodedCertificate } from '../../x509/types.js';
import type { FindingDraft } from '../types.js';
import { describeDuration } from './shared.js';

/** Under this much, a certificate "not yet valid" or "just expired" points at a clock, not at the certificate. */
const CLOCK_SKEW_LIMIT_MS = 24 * 3600 * 1000;

export interface ValidityProblem {
  cert: DecodedCertificate;
  index: number;
  kind: 'expired' | 'not-yet-valid';
  /** How far the packet time lies outside the validity period. */
  offByMs: number;
}

/** The first certificate of a chain (leaf first) that is outside its validity at `time`. */
export function firstValidityProblem(chain: readonly DecodedCertificate[], time: Date): ValidityProblem | null {
  for (const [index, cert] of chain.entries()) {
    if (time < cert.notBefore) return { cert, index, kind: 'not-yet-valid', offByMs: cert.notBefore.getTime() - time.getTime() };
    if (time > cert.notAfter) return { cert, index, kind: 'expired', offByMs: time.getTime() - cert.notAfter.getTime() };
  }
  return null;
}

/** Sentences explaining a validity problem against the packet's time. */
export function describeValidityProblem(problem: ValidityProblem, owner: 'client' | 'server', time: Date, frame: number): string {
  const { cert, kind, offByMs } = problem;
  const which = problem.index === 0 ? `The ${owner} certificate ${cert.summary.subject}` : `The ${owner}'s chain certificate ${cert.summary.subject} (position ${problem.index})`;
  const packet = `the time of frame ${frame} (${time.toISOString()})`;
  const base =
    kind === 'expired'
      ? `${which} expired on ${cert.notAfter.toISOString()}, ${describeDuration(offByMs)} before ${packet}.`
      : `${which} is valid only from ${cert.notBefore.toISOString()}, ${describeDuration(offByMs)} after ${packet}.`;
  if (offByMs >= CLOCK_SKEW_LIMIT_MS) return base;
  return (
    base +
    (kind === 'not-yet-valid'
      ? ' So small a difference usually means clock skew: the certificate was issued on a host whose clock runs ahead of the machine that checked it (a VM or container with a drifting clock) — check NTP on both, or back-date notBefore when issuing.'
      : ' So small a difference may also mean the checking machine\'s clock runs ahead: check NTP.')
  );
}

export function validityFields(problem: ValidityProblem, time: Date): FindingDraft['evidence']['fields'] {
  return {
    subject: problem.cert.summary.subject,
    not_before: problem.cert.notBefore.toISOString(),
    not_after: problem.cert.notAfter.toISOString(),
    packet_time: time.toISOString(),
    chain_position: problem.index,
  };
}
