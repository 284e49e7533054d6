import { findMessage } from '../../model/report.js';
import { isOcspParseError, parseOcspResponse } from '../../ocsp/index.js';
import type { OcspSingleResponse } from '../../ocsp/index.js';
import type { CatalogEntry, FindingDraft, Rule } from '../types.js';
import { serverCertificateView } from './server-context.js';
import { uniqueFrames } from './shared.js';

/** The catalog entries of the findings this module's rules produce (docs/findings.md is rendered from them). */
export const ocspStapledFindings = [
  {
    id: 'ocsp-stapled-revoked',
    about: 'server-certificate',
    severity: 'error',
    title: 'The stapled OCSP response says the server certificate is revoked',
    meaning: 'The server stapled an OCSP response (status_request) whose status for its certificate is revoked. Clients that check the staple reject the connection — curl --cert-status after the handshake (exit 91, no alert).',
    evidence: 'The CertificateStatus frame (or TLS 1.3 Certificate entry), the revocation time and reason, thisUpdate/nextUpdate.',
    remedy: 'Replace the revoked certificate with a newly issued one and reload the server.',
  },
  {
    id: 'ocsp-stapled-unknown',
    about: 'server-certificate',
    severity: 'error',
    title: 'The stapled OCSP response does not know the server certificate',
    meaning: 'The stapled OCSP response answers unknown for the certificate: the responder is for another CA, or the certificate is not one its CA issued. Strict clients (curl --cert-status) reject it.',
    evidence: 'The CertificateStatus frame, the certificate serial and the response\'s times.',
    remedy: 'Point the server\'s OCSP stapling at the responder of the CA that issued the certificate (nginx ssl_stapling_responder, ssl_stapling_file).',
  },
  {
    id: 'ocsp-stapled-stale',
    about: 'server-certificate',
    severity: 'warning',
    title: 'The stapled OCSP response is past its nextUpdate',
    meaning: 'The stapled response\'s nextUpdate lies before the packet\'s time: the server keeps stapling an expired response. Clients that check it treat it as no answer or reject it.',
    evidence: 'The CertificateStatus frame, thisUpdate/nextUpdate and the packet time.',
    remedy: 'Make sure the server can reach its OCSP responder (nginx resolver, firewall) or refresh the response file it staples.',
  },
] as const satisfies readonly CatalogEntry[];

function normalSerial(hex: string): string {
  return hex.toLowerCase().replace(/[^0-9a-f]/g, '').replace(/^0+/, '');
}

/**
 * The OCSP response the server stapled (TLS 1.2 CertificateStatus, or TLS 1.3 in the leaf's Certificate
 * entry) says the certificate is revoked or unknown, or is already stale at the packet's time.
 */
export const ocspStapled: Rule = {
  produces: ['ocsp-stapled-revoked', 'ocsp-stapled-unknown', 'ocsp-stapled-stale'],
  run({ connection, facts }) {
    const view = serverCertificateView(connection, facts);
    const status = findMessage(connection, 'server', 'CertificateStatus');
    const der = status?.message.ocspResponse ?? view?.certificate.message.certificates[0]?.ocspResponse ?? null;
    if (!der || der.length === 0) return [];
    const frame = status?.frame ?? view!.certificate.frame;
    const time = new Date((status?.time ?? view!.certificate.time) * 1000);
    const parsed = parseOcspResponse(der);
    if (isOcspParseError(parsed) || !parsed.basic) return [];
    const leafSerial = view ? normalSerial(view.leaf.summary.serialNumber) : null;
    const single: OcspSingleResponse | undefined =
      parsed.basic.responses.find((r) => leafSerial !== null && normalSerial(r.certId.serialNumber) === leafSerial) ?? parsed.basic.responses[0];
    if (!single) return [];
    const subject = view?.leaf.summary.subject ?? 'the server certificate';
    const after = facts.outcome === 'established'
      ? ' The handshake itself completed: clients that check the staple (curl --cert-status, exit 91; browsers with must-staple) reject the connection afterwards, without a TLS alert.'
      : '';
    const fields: FindingDraft['evidence']['fields'] = {
      cert_status: single.certStatus,
      serial_number: single.certId.serialNumber,
      this_update: single.thisUpdate,
      next_update: single.nextUpdate,
      produced_at: parsed.basic.producedAt,
      packet_time: time.toISOString(),
    };
    const drafts: FindingDraft[] = [];
    if (single.certStatus === 'revoked') {
      fields['revocation_time'] = single.revocationTime;
      fields['revocation_reason'] = single.revocationReason;
      drafts.push({
        id: 'ocsp-stapled-revoked',
        explanation: `The OCSP response the server stapled in frame ${frame} says ${subject} (serial ${single.certId.serialNumber}) was REVOKED on ${single.revocationTime ?? '(no time)'}${single.revocationReason ? `, reason ${single.revocationReason}` : ''}.${after}`,
        evidence: { frames: uniqueFrames([frame]), fields },
      });
    } else if (single.certStatus === 'unknown') {
      drafts.push({
        id: 'ocsp-stapled-unknown',
        explanation: `The OCSP response the server stapled in frame ${frame} answers "unknown" for ${subject} (serial ${single.certId.serialNumber}): the responder does not know the certificate — usually a responder for another CA, or the certificate was not issued by the CA it claims.${after}`,
        evidence: { frames: uniqueFrames([frame]), fields },
      });
    }
    if (single.nextUpdate !== null && new Date(single.nextUpdate) < time) {
      drafts.push({
        id: 'ocsp-stapled-stale',
        explanation: `The OCSP response stapled in frame ${frame} was valid until ${single.nextUpdate} (nextUpdate), before this packet's time ${time.toISOString()}: the server keeps serving an expired response (its OCSP fetches fail, or the response file is not refreshed).`,
        evidence: { frames: uniqueFrames([frame]), fields },
      });
    }
    return drafts;
  },
};
