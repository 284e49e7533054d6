import { anyExtendedKeyUsage } from '@peculiar/asn1-x509';
import { Alert, AlertLevel } from '../../tls/registry/alerts.js';
import { sameBytes } from '../../util/bytes.js';
import { checkChainOrder } from '../../x509/index.js';
import { EKU_OID } from '../../x509/oids.js';
import type { CatalogEntry, FindingDraft, Rule } from '../types.js';
import { serverCertificateView } from './server-context.js';
import { alertLabel, uniqueFrames } from './shared.js';
import { describeValidityProblem, firstValidityProblem, validityFields } from './validity.js';

/** The catalog entries of the findings this module's rules produce (docs/findings.md is rendered from them). */
export const serverCertChecksFindings = [
  {
    id: 'server-cert-expired',
    about: 'server-certificate',
    severity: 'error',
    title: 'The server certificate had expired when it was sent',
    meaning: 'A certificate of the server\'s chain was past its notAfter at the time of the packet that carried it. Clients answer certificate_expired (45).',
    evidence: 'The server Certificate frame and its capture time; the certificate\'s notBefore/notAfter; the client\'s alert.',
    remedy: 'Renew the server certificate (or the expired intermediate) and reload the server; check the clocks if the difference is small.',
  },
  {
    id: 'server-cert-not-yet-valid',
    about: 'server-certificate',
    severity: 'error',
    title: 'The server certificate was not yet valid when it was sent',
    meaning: 'A certificate of the server\'s chain has a notBefore later than the packet\'s time. OpenSSL clients answer bad_certificate (42). Minutes or hours off means clock skew between the issuing host and the client (VMs, containers).',
    evidence: 'The server Certificate frame and its capture time; the certificate\'s notBefore/notAfter; the client\'s alert.',
    remedy: 'Fix the clocks (NTP) or issue the certificate with a notBefore in the past.',
  },
  {
    id: 'server-cert-self-signed',
    about: 'server-certificate',
    severity: 'error',
    title: 'The client rejected the server\'s self-signed certificate',
    meaning: 'The server\'s leaf certificate is its own issuer and the handshake failed. Only clients that have this exact certificate in their trust store (or pin it) accept it; every other client answers unknown_ca (curl: "self-signed certificate"). Not reported when the handshake completed: that client trusts it.',
    evidence: 'The server Certificate frame, the certificate subject and SHA-256; the client\'s alert.',
    remedy: 'Use a certificate issued by a CA the clients trust, or distribute this certificate to the clients\' trust stores (curl --cacert, Java truststore, Node ca).',
  },
  {
    id: 'server-cert-eku-missing-serverauth',
    about: 'server-certificate',
    severity: 'error',
    title: 'The server certificate may not be used for a TLS server (no serverAuth EKU)',
    meaning: 'The server leaf has an extendedKeyUsage extension without serverAuth (1.3.6.1.5.5.7.3.1) or anyExtendedKeyUsage. OpenSSL clients answer unsupported_certificate (43) ("unsupported certificate purpose").',
    evidence: 'The server Certificate frame, the leaf\'s extendedKeyUsage values; the client\'s alert.',
    remedy: 'Issue the server certificate with extendedKeyUsage = serverAuth.',
  },
  {
    id: 'server-chain-misordered',
    about: 'server-certificate',
    severity: 'warning',
    title: 'The server sends its chain out of order',
    meaning: 'A certificate in the server\'s chain is not issued by the certificate after it. TLS 1.2 (RFC 5246 §7.4.2) requires this order; TLS 1.3 relaxes it. Most current clients reorder, strict or older ones fail.',
    evidence: 'The server Certificate frame, the subjects in the order sent, the first position that breaks the order.',
    remedy: 'Order the chain file leaf first, then each issuer in turn (nginx ssl_certificate, Apache SSLCertificateChainFile).',
  },
  {
    id: 'server-chain-includes-root',
    about: 'server-certificate',
    severity: 'info',
    title: 'The server sends the root certificate in its chain',
    meaning: 'The chain holds a self-signed root. Clients ignore it (they trust roots from their own store), so it only makes every handshake bigger.',
    evidence: 'The server Certificate frame and the root\'s subject.',
    remedy: 'Remove the root from the chain file; keep the leaf and the intermediates.',
  },
] as const satisfies readonly CatalogEntry[];


/** A server certificate outside its validity period at the time of the packet that carried it. */
export const serverCertValidity: Rule = {
  produces: ['server-cert-expired', 'server-cert-not-yet-valid'],
  run({ connection, facts }) {
    const view = serverCertificateView(connection, facts);
    if (!view) return [];
    const time = new Date(view.certificate.time * 1000);
    const problem = firstValidityProblem(view.chain, time);
    if (!problem) return [];
    const reaction = view.rejection
      ? ` The client rejected it with ${alertLabel(view.rejection)} (frame ${view.rejection.frame})${problem.kind === 'not-yet-valid' && view.rejection.code === Alert.badCertificate ? ' — OpenSSL answers a not-yet-valid certificate with bad_certificate, not certificate_expired' : ''}.`
      : '';
    return [
      {
        id: problem.kind === 'expired' ? 'server-cert-expired' : 'server-cert-not-yet-valid',
        explanation: describeValidityProblem(problem, 'server', time, view.certificate.frame) + reaction,
        evidence: { frames: uniqueFrames([view.certificate.frame, ...(view.rejection ? [view.rejection.frame] : [])]), fields: validityFields(problem, time) },
        ...(view.rejection ? { explainsAlertFrame: view.rejection.frame } : {}),
      },
    ];
  },
};

/** The server leaf is self-signed and the client did not accept it: only clients that pinned or explicitly trust it do. */
export const serverCertSelfSigned: Rule = {
  produces: ['server-cert-self-signed'],
  run({ connection, facts }) {
    const view = serverCertificateView(connection, facts);
    // A client that completed the handshake trusts (or pinned) this very certificate: nothing to explain.
    if (!view || !view.leaf.summary.selfSigned || (facts.outcome === 'established' && !view.rejection)) return [];
    return [
      {
        id: 'server-cert-self-signed',
        explanation: `The server certificate ${view.leaf.summary.subject} (frame ${view.certificate.frame}) is self-signed: its issuer is itself, so a client accepts it only if it has this very certificate in its trust store.${view.rejection ? ` The client rejected it with ${alertLabel(view.rejection)} (frame ${view.rejection.frame}).` : ''}`,
        evidence: {
          frames: uniqueFrames([view.certificate.frame, ...(view.rejection ? [view.rejection.frame] : [])]),
          fields: { subject: view.leaf.summary.subject, sha256: view.leaf.summary.sha256 },
        },
        ...(view.rejection ? { explainsAlertFrame: view.rejection.frame } : {}),
      },
    ];
  },
};

/** The server leaf's extendedKeyUsage lacks serverAuth. */
export const serverCertEku: Rule = {
  produces: ['server-cert-eku-missing-serverauth'],
  run({ connection, facts }) {
    const view = serverCertificateView(connection, facts);
    const eku = view?.leaf.extendedKeyUsageOids;
    if (!view || !eku || eku.includes(EKU_OID.serverAuth) || eku.includes(anyExtendedKeyUsage)) return [];
    const alert = facts.alerts.find((a) => a.side === 'client' && a.level === AlertLevel.fatal && a.frame >= view.certificate.frame) ?? null;
    return [
      {
        id: 'server-cert-eku-missing-serverauth',
        explanation: `The server certificate ${view.leaf.summary.subject} (frame ${view.certificate.frame}) has extendedKeyUsage ${view.leaf.summary.extendedKeyUsage?.join(', ') || '(empty)'} without serverAuth, so TLS clients may not accept it for a server ("unsupported certificate purpose").${alert ? ` The client answered with ${alertLabel(alert)} (frame ${alert.frame}).` : ''}`,
        evidence: {
          frames: uniqueFrames([view.certificate.frame, ...(alert ? [alert.frame] : [])]),
          fields: { subject: view.leaf.summary.subject, extended_key_usage: view.leaf.summary.extendedKeyUsage ?? [] },
        },
        ...(alert ? { explainsAlertFrame: alert.frame } : {}),
      },
    ];
  },
};

/** The order of the server's chain: each certificate should certify the one before it; the root is not needed. */
export const serverChainShape: Rule = {
  produces: ['server-chain-misordered', 'server-chain-includes-root'],
  run({ connection, facts }) {
    const view = serverCertificateView(connection, facts);
    if (!view || view.chain.length < 2) return [];
    const drafts: FindingDraft[] = [];
    const subjects = view.chain.map((c) => c.summary.subject);
    const order = checkChainOrder(view.chain);
    const tls13 = view.certificate.message.tls13;
    if (!order.ordered && order.firstBreak !== null) {
      const i = order.firstBreak;
      const duplicates = view.certificate.message.certificates.flatMap((c, n) =>
        view.certificate.message.certificates.findIndex((d) => sameBytes(d.data, c.data)) < n ? [n] : [],
      );
      const duplicateNote = duplicates.length > 0 ? ` Certificate${duplicates.length === 1 ? '' : 's'} ${duplicates.join(', ')} ${duplicates.length === 1 ? 'is' : 'are'} sent twice (the same DER earlier in the list) — typically a chain file that already holds the leaf, configured after the leaf.` : '';
      drafts.push({
        id: 'server-chain-misordered',
        explanation: `The server's chain in frame ${view.certificate.frame} is out of order: certificate ${i} (${subjects[i]}) is not issued by certificate ${i + 1} (${subjects[i + 1]}). Sent: ${subjects.map((s, n) => `${n}: ${s}`).join('; ')}. ${tls13 ? 'TLS 1.3 allows any order after the leaf, but' : 'TLS 1.2 requires each certificate to certify the one before it;'} strict or older clients (embedded TLS stacks, some Java and Go versions) fail to build the path.${duplicateNote}`,
        evidence: { frames: [view.certificate.frame], fields: { server_chain: subjects, first_break: i, duplicates: duplicates.map(String) } },
      });
    }
    const roots = view.chain.flatMap((c, i) => (i > 0 && c.summary.selfSigned ? [c.summary.subject] : []));
    if (roots.length > 0) {
      drafts.push({
        id: 'server-chain-includes-root',
        explanation: `The server sends the self-signed root ${roots.join(', ')} in its chain (frame ${view.certificate.frame}). Clients ignore it — trust comes from their own store — so it only adds bytes to every handshake.`,
        evidence: { frames: [view.certificate.frame], fields: { roots, server_chain: subjects } },
      });
    }
    return drafts;
  },
};
