import type { CatalogEntry, Rule } from '../types.js';
import { clientCertificateExchange } from './client-context.js';
import { pathThroughPresented, uniqueFrames } from './shared.js';

/** The catalog entries of the findings this module's rules produce (docs/findings.md is rendered from them). */
export const clientCertRejectedFindings = [
  {
    id: 'client-cert-rejected-after-handshake',
    about: 'client-certificate',
    severity: 'error',
    title: 'The server refused the client certificate after the handshake, for a reason the capture does not show',
    meaning: 'The TLS handshake completed with a client certificate that passes every check tlsdiag can make from the capture, and the server\'s first HTTP answer is a 400 (nginx\'s "400 The SSL certificate error"). The check that failed is on the server: verify depth, its client CA file, a CRL, or its own rules.',
    evidence: 'The client Certificate frame and chain; the decrypted HTTP status line and its frame.',
    remedy: 'Read the server\'s error log for the verify error; run tlsdiag again with --verify-depth (nginx ssl_verify_depth), --ca (the server\'s client CA file) and --crl (its ssl_crl file) to let it check those offline.',
  },
] as const satisfies readonly CatalogEntry[];

/** nginx's 400 for certificate errors; 495/496 are its internal codes some configurations expose. */
const REJECTING_STATUS: ReadonlySet<number> = new Set([400, 403, 495, 496]);

/**
 * Applied only when no other rule found a cause: the handshake completed with a client certificate, and the
 * server's first HTTP answer is the status nginx (or a proxy) gives to a rejected certificate. What can
 * still be at fault is listed, with how to let tlsdiag tell.
 */
export const clientCertRejectedAfterHandshake: Rule = {
  produces: ['client-cert-rejected-after-handshake'],
  run({ connection, facts }, context) {
    if (!facts.handshakeCompleted) return [];
    const ex = clientCertificateExchange(connection);
    const http = facts.httpStatus;
    if (!ex || !http || !REJECTING_STATUS.has(http.code)) return [];
    const intermediates = pathThroughPresented(ex.chain).filter((c, i) => i > 0 && !c.summary.selfSigned).length;
    const candidates = [
      intermediates > 0 && context.verifyDepth === undefined
        ? `a verify depth below ${intermediates} (nginx ssl_verify_depth; OpenSSL 3 counts intermediates only — pass --verify-depth to check)`
        : null,
      context.clientAnchors.length === 0 ? 'a chain that does not reach the CAs in the server\'s client CA file (pass that file with --ca to validate it offline)' : null,
      context.clientCrls && context.clientCrls.length > 0
        ? null
        : 'a revoked certificate, or a CRL that is missing for a CA of the chain, expired or not yet valid (nginx ssl_crl — pass that file with --crl to check it offline)',
      'a rule in the server configuration that rejects this certificate\'s subject',
    ].filter((x): x is string => x !== null);
    return [
      {
        id: 'client-cert-rejected-after-handshake',
        explanation: `The handshake completed with the client certificate ${ex.leaf.summary.subject} (frame ${ex.certificate.frame}), which is issued by a CA the server lists and valid at the packet's time, but the server answered "${http.line}" (frame ${http.frame}) — how nginx reports "400 The SSL certificate error". The capture does not show which check failed; the remaining causes: ${candidates.join('; ')}. nginx's error.log names it ("client SSL certificate verify error: (N:…)").`,
        evidence: { frames: uniqueFrames([ex.certificate.frame, http.frame]), fields: { http_status_line: http.line, client_chain: ex.chain.map((c) => c.summary.subject) } },
      },
    ];
  },
};
