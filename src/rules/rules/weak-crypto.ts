import { findMessage } from '../../model/report.js';
import type { ConnectionReport, Side } from '../../model/types.js';
import type { DecodedCertificate } from '../../x509/types.js';
import type { FindingDraft, Rule } from '../types.js';
import { decodedCertificates, uniqueFrames } from './shared.js';

const MIN_RSA_DSA_BITS = 2048;
const MIN_EC_BITS = 224;

/** Why a certificate's key is weak, or null. */
export function weakKey(cert: DecodedCertificate): string | null {
  const { algorithm, size, curve } = cert.summary.publicKey;
  if (size === null) return null;
  if ((algorithm === 'RSA' || algorithm === 'RSA-PSS' || algorithm === 'DSA') && size < MIN_RSA_DSA_BITS) return `${algorithm} ${size} bits (below ${MIN_RSA_DSA_BITS})`;
  if (algorithm === 'EC' && size < MIN_EC_BITS) return `EC ${curve ?? ''} ${size} bits (below ${MIN_EC_BITS})`.replace('  ', ' ');
  return null;
}

/** A signature made with MD5 or SHA-1 (or MD2) on a certificate that is not a self-signed root. */
export function weakSignature(cert: DecodedCertificate): string | null {
  if (cert.summary.selfSigned) return null; // a root's self-signature is not checked by anyone
  return /md2|md5|sha1/i.test(cert.summary.signatureAlgorithm) && !/sha1\d/i.test(cert.summary.signatureAlgorithm) ? cert.summary.signatureAlgorithm : null;
}

function chainOf(connection: Parameters<Rule['run']>[0]['connection'], side: Side) {
  const message = findMessage(connection, side, 'Certificate');
  return message ? { frame: message.frame, chain: decodedCertificates(message.message) } : null;
}

/** The peer's fatal alert that may be the other side's rejection of this side's certificate. */
function rejectionOf(report: ConnectionReport, side: Side, afterFrame: number) {
  const other: Side = side === 'server' ? 'client' : 'server';
  return (
    report.alerts.find(
      (a) => a.from === other && a.level === 'fatal' && a.frame >= afterFrame && ['bad_certificate', 'insufficient_security', 'handshake_failure', 'unsupported_certificate'].includes(a.description ?? ''),
    ) ?? null
  );
}

/** Weak keys, weak certificate signatures and X.509 v1 certificates in either side's chain. */
export const weakCrypto: Rule = {
  produces: ['weak-key', 'weak-signature-algorithm', 'v1-certificate'],
  run({ connection, report }) {
    const drafts: FindingDraft[] = [];
    for (const side of ['server', 'client'] as const) {
      const sent = chainOf(connection, side);
      if (!sent) continue;
      const rejection = rejectionOf(report, side, sent.frame);
      const link = rejection ? { explainsAlertFrame: rejection.frame } : {};
      const frames = uniqueFrames([sent.frame, ...(rejection ? [rejection.frame] : [])]);
      const rejected = rejection ? ` The ${rejection.from} answered with ${rejection.description} (frame ${rejection.frame}).` : '';
      for (const [index, cert] of sent.chain.entries()) {
        const where = `the ${side} ${index === 0 ? 'certificate' : `chain certificate ${index}`} ${cert.summary.subject} (frame ${sent.frame})`;
        const key = weakKey(cert);
        if (key) {
          drafts.push({
            id: 'weak-key',
            explanation: `${capital(where)} has a weak key: ${key}. OpenSSL at security level 2 (the default on Debian, Ubuntu and RHEL) rejects RSA keys under 2048 bits ("ee key too small"), as do browsers and current Java policies.${rejected}`,
            evidence: { frames, fields: { side, subject: cert.summary.subject, algorithm: cert.summary.publicKey.algorithm, bits: cert.summary.publicKey.size, chain_position: index } },
            ...link,
          });
        }
        const signature = weakSignature(cert);
        if (signature) {
          drafts.push({
            id: 'weak-signature-algorithm',
            explanation: `${capital(where)} is signed with ${signature}. OpenSSL 3 at security level 1 and above, browsers and Java reject MD5 and SHA-1 certificate signatures ("ca md too weak").${rejected}`,
            evidence: { frames, fields: { side, subject: cert.summary.subject, signature_algorithm: signature, chain_position: index } },
            ...link,
          });
        }
        if (cert.summary.version === 1 && !(index > 0 && cert.summary.selfSigned)) {
          drafts.push({
            id: 'v1-certificate',
            explanation: `${capital(where)} is an X.509 version 1 certificate: it has no extensions, so no subjectAltName, key usage or basicConstraints. Clients cannot match a host name against it (no SAN) and OpenSSL does not accept a v1 certificate as an intermediate CA.`,
            evidence: { frames: [sent.frame], fields: { side, subject: cert.summary.subject, chain_position: index } },
          });
        }
      }
    }
    return drafts;
  },
};

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
