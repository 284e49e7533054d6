import { findMessage } from '../../model/report.js';
import type { Side } from '../../model/types.js';
import { validateChain } from '../../x509/index.js';
import type { CatalogEntry, FindingDraft, Rule } from '../types.js';

/** The catalog entries of the findings this module's rules produce (docs/findings.md is rendered from them). */
export const trustMaterialFindings = [
  {
    id: 'client-chain-untrusted',
    about: 'client-certificate',
    severity: 'error',
    title: 'The client\'s chain does not validate against the server\'s client CAs (--ca)',
    meaning: 'The client chain was validated offline, as OpenSSL does, against the CA bundle given with --ca (the server\'s client CA file); the first failing link and why are given.',
    evidence: 'The client Certificate frame; the failing position, subject, issuer and reason; the path built.',
    remedy: 'Fix the link named: send the missing intermediate, use a certificate from a CA in the bundle, renew it, or add its CA to the server\'s client CA file.',
  },
  {
    id: 'server-chain-untrusted',
    about: 'server-certificate',
    severity: 'error',
    title: 'The server\'s chain does not validate against the client\'s trust store (--server-ca)',
    meaning: 'The server chain was validated offline, as OpenSSL does, against the CA bundle given with --server-ca (what the client trusts); the first failing link and why are given.',
    evidence: 'The server Certificate frame; the failing position, subject, issuer and reason; the path built.',
    remedy: 'Fix the link named: serve the missing intermediate, renew the certificate, or give the client the right CA bundle.',
  },
] as const satisfies readonly CatalogEntry[];

/**
 * With the trust material the user gave (--ca for the server's client CAs, --server-ca for the client's
 * store), the chain a side sent is validated offline as OpenSSL would, and the failing link named.
 */
export const trustMaterial: Rule = {
  produces: ['client-chain-untrusted', 'server-chain-untrusted'],
  async run({ connection }, context) {
    const drafts: FindingDraft[] = [];
    const checks: Array<{ side: Side; anchors: Uint8Array[]; id: 'client-chain-untrusted' | 'server-chain-untrusted'; purpose: 'clientAuth' | 'serverAuth'; flag: string }> = [
      { side: 'client', anchors: context.clientAnchors, id: 'client-chain-untrusted', purpose: 'clientAuth', flag: '--ca' },
      { side: 'server', anchors: context.serverAnchors, id: 'server-chain-untrusted', purpose: 'serverAuth', flag: '--server-ca' },
    ];
    for (const check of checks) {
      if (check.anchors.length === 0) continue;
      const message = findMessage(connection, check.side, 'Certificate');
      if (!message || message.message.certificates.length === 0) continue;
      const presented = message.message.certificates.map((c) => c.data);
      const result = await validateChain({
        presented,
        anchors: check.anchors,
        time: new Date(message.time * 1000),
        purpose: check.purpose,
        ...(check.side === 'client' && context.verifyDepth !== undefined ? { maxDepth: context.verifyDepth } : {}),
      });
      if (result.ok || !result.failure) continue;
      const f = result.failure;
      drafts.push({
        id: check.id,
        explanation: `Validated against the ${check.anchors.length} certificate${check.anchors.length === 1 ? '' : 's'} given with ${check.flag}, the ${check.side}'s chain (frame ${message.frame}) fails at position ${f.index} (${f.subject || 'the leaf'}${f.issuer ? `, issued by ${f.issuer}` : ''}): ${f.message}.${f.missingIssuer ? ` Missing issuer: ${f.missingIssuer}.` : ''} Path built: ${result.path.join(' → ') || '(none)'}${result.anchored ? ' (ends at a trust anchor)' : ''}.`,
        evidence: {
          frames: [message.frame],
          fields: {
            failure_code: f.code,
            failure_position: f.index,
            failure_subject: f.subject,
            failure_issuer: f.issuer,
            path: result.path,
            anchored: result.anchored,
            other_failures: result.failures.slice(1).map((x) => `${x.code} at ${x.index}`),
          },
        },
      });
    }
    return drafts;
  },
};
