import type { DecodedCertificate } from '../../x509/types.js';
import type { CatalogEntry, Rule } from '../types.js';
import { serverCertificateView } from './server-context.js';
import { alertLabel, uniqueFrames } from './shared.js';

/** The catalog entries of the findings this module's rules produce (docs/findings.md is rendered from them). */
export const serverNameFindings = [
  {
    id: 'server-cert-name-mismatch',
    about: 'server-certificate',
    severity: 'error',
    title: 'The server certificate does not cover the requested host name',
    meaning: 'The SNI host name is not among the certificate\'s subjectAltName DNS/IP entries (or its CN when it has no SAN), wildcards matched per RFC 6125 (one left-most label). curl checks after the handshake and only closes; openssl -verify_hostname sends bad_certificate.',
    evidence: 'The SNI from ClientHello; the server Certificate frame and the names it covers; the client\'s alert or close.',
    remedy: 'Connect with a name the certificate covers, or reissue the certificate with the host name in subjectAltName.',
  },
] as const satisfies readonly CatalogEntry[];

/** RFC 6125 §6.4.3: a wildcard only as the whole left-most label, matching exactly one label. */
function dnsNameMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  const h = host.toLowerCase().replace(/\.$/, '');
  if (!p.startsWith('*.')) return p === h;
  const rest = p.slice(2);
  if (!rest.includes('.')) return false; // "*.com" covers nothing
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === rest;
}

function isIpAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

/** Names the certificate is valid for: SAN DNS/IP entries, or the subject CN when there is no SAN at all. */
export function certificateNames(cert: DecodedCertificate): { names: string[]; fromCommonName: boolean } {
  const san = cert.summary.subjectAltNames.filter((n) => n.startsWith('DNS:') || n.startsWith('IP:'));
  if (cert.summary.subjectAltNames.length > 0) return { names: san, fromCommonName: false };
  const cn = cert.subjectName.rdns.flat().filter((a) => a.type === 'CN' && a.text !== null).map((a) => `DNS:${a.text}`);
  return { names: cn, fromCommonName: true };
}

export function nameCovered(cert: DecodedCertificate, host: string): boolean {
  const { names } = certificateNames(cert);
  if (isIpAddress(host)) return names.some((n) => n === `IP:${host}`);
  return names.some((n) => n.startsWith('DNS:') && dnsNameMatches(n.slice(4), host));
}

/** The SNI host name is not among the names the server certificate covers. */
export const serverCertNameMismatch: Rule = {
  produces: ['server-cert-name-mismatch'],
  run({ connection, facts, report }) {
    const view = serverCertificateView(connection, facts);
    if (!view || !report.sni || nameCovered(view.leaf, report.sni)) return [];
    const { names, fromCommonName } = certificateNames(view.leaf);
    const clientReaction = view.rejection
      ? ` The client rejected it with ${alertLabel(view.rejection)} (frame ${view.rejection.frame}).`
      : facts.outcome === 'established'
        ? ''
        : ` The ${facts.close?.by ?? 'client'} closed the connection without an alert: curl checks the host name after the handshake and just closes.`;
    return [
      {
        id: 'server-cert-name-mismatch',
        explanation: `The client asked for ${report.sni} (SNI) but the server certificate ${view.leaf.summary.subject} (frame ${view.certificate.frame}) covers only ${names.join(', ') || '(no names)'}${fromCommonName ? ' (its CN: the certificate has no subjectAltName, and modern clients ignore the CN)' : ''}.${clientReaction}`,
        evidence: {
          frames: uniqueFrames([view.certificate.frame, ...(view.rejection ? [view.rejection.frame] : [])]),
          fields: { sni: report.sni, certificate_names: names, names_from_common_name: fromCommonName },
        },
        ...(view.rejection ? { explainsAlertFrame: view.rejection.frame } : {}),
      },
    ];
  },
};
