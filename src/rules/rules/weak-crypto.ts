import { findMessage } from '../../model/report.js';
import type { AlertFact, ConnectionFacts } from '../../facts/types.js';
import type { Side } from '../../model/types.js';
import { Alert, AlertLevel } from '../../tls/registry/alerts.js';
import { cipherSuiteWeakness, type CipherSuiteWeakness } from '../../tls/registry/cipher-suites.js';
import type { DecodedCertificate } from '../../x509/types.js';
import type { CatalogEntry, FindingDraft, Rule } from '../types.js';
import { alertLabel, decodedCertificates, uniqueFrames } from './shared.js';

/** The catalog entries of the findings this module's rules produce (docs/findings.md is rendered from them). */
export const weakCryptoFindings = [
  {
    id: 'weak-cipher-suite',
    about: 'negotiation',
    severity: 'warning',
    title: 'The connection negotiated a broken or unauthenticated cipher suite',
    meaning:
      'The server chose a cipher suite with no encryption (NULL), no authentication (anonymous DH/ECDH: anyone in the path can impersonate the server), an export-grade key, RC4 (RFC 7465 forbids it), single DES or 3DES (64-bit blocks: Sweet32). It works, but a passive or active attacker can read or alter the traffic, and current clients (OpenSSL 3 at its default security level, browsers, Java) refuse these suites, so other clients will fail against this server.',
    evidence: 'The ServerHello frame and the suite chosen; what the client offered.',
    remedy:
      'Remove the suite from the server\'s list (nginx ssl_ciphers, Apache SSLCipherSuite, Java jdk.tls.disabledAlgorithms, openssl -cipher) and offer only AEAD suites with ECDHE (e.g. ECDHE-ECDSA-AES128-GCM-SHA256, ECDHE-RSA-AES128-GCM-SHA256) or TLS 1.3.',
  },
  {
    id: 'weak-key',
    about: 'certificate-strength',
    severity: 'warning',
    title: 'A certificate has a weak key',
    meaning: 'An RSA or DSA key under 2048 bits, or an EC key under 224 bits. OpenSSL at security level 2 (default on Debian, Ubuntu, RHEL) rejects it ("ee key too small": bad_certificate), as do browsers and current Java. When the peer rejected the certificate the finding explains the alert.',
    evidence: 'The Certificate frame, the certificate, its key algorithm and size; the peer\'s alert.',
    remedy: 'Issue a new certificate with an RSA 2048+ or EC P-256+ key.',
  },
  {
    id: 'weak-signature-algorithm',
    about: 'certificate-strength',
    severity: 'warning',
    title: 'A certificate is signed with MD5 or SHA-1',
    meaning: 'A certificate that is not a self-signed root carries an MD5 or SHA-1 signature. OpenSSL 3, browsers and Java reject such signatures ("ca md too weak").',
    evidence: 'The Certificate frame, the certificate and its signature algorithm; the peer\'s alert.',
    remedy: 'Reissue the certificate with a SHA-256 (or stronger) signature.',
  },
  {
    id: 'v1-certificate',
    about: 'certificate-strength',
    severity: 'warning',
    title: 'An X.509 version 1 certificate is in use',
    meaning: 'A v1 certificate has no extensions: no subjectAltName (host names cannot be matched), no key usage, no basicConstraints (OpenSSL will not accept it as an intermediate CA).',
    evidence: 'The Certificate frame and the certificate.',
    remedy: 'Reissue it as a v3 certificate with subjectAltName (openssl x509 -req with -extfile).',
  },
] as const satisfies readonly CatalogEntry[];


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

/** Alerts with which a peer refuses a certificate it finds too weak. */
const WEAKNESS_REJECTIONS: ReadonlySet<number> = new Set([Alert.badCertificate, Alert.insufficientSecurity, Alert.handshakeFailure, Alert.unsupportedCertificate]);

/** The peer's fatal alert that may be the other side's rejection of this side's certificate. */
function rejectionOf(facts: ConnectionFacts, side: Side, afterFrame: number): AlertFact | null {
  const other: Side = side === 'server' ? 'client' : 'server';
  return facts.alerts.find((a) => a.side === other && a.level === AlertLevel.fatal && a.frame >= afterFrame && a.code !== null && WEAKNESS_REJECTIONS.has(a.code)) ?? null;
}

interface Weak {
  where: string;
  subject: string;
  detail: string;
  position: number;
}

/**
 * Weak keys, weak certificate signatures and X.509 v1 certificates in either side's chain: one finding of each
 * kind per side, listing every certificate it applies to (a chain with two SHA-1 certificates is one finding).
 */
export const weakCrypto: Rule = {
  produces: ['weak-key', 'weak-signature-algorithm', 'v1-certificate'],
  run({ connection, facts }) {
    const drafts: FindingDraft[] = [];
    for (const side of ['server', 'client'] as const) {
      const sent = chainOf(connection, side);
      if (!sent) continue;
      const rejection = rejectionOf(facts, side, sent.frame);
      const link = rejection ? { explainsAlertFrame: rejection.frame } : {};
      const frames = uniqueFrames([sent.frame, ...(rejection ? [rejection.frame] : [])]);
      const rejected = rejection ? ` The ${rejection.side} answered with ${alertLabel(rejection)} (frame ${rejection.frame}).` : '';
      const keys: Weak[] = [];
      const signatures: Weak[] = [];
      const v1: Weak[] = [];
      for (const [index, cert] of sent.chain.entries()) {
        const where = `the ${side} ${index === 0 ? 'certificate' : `chain certificate ${index}`} ${cert.summary.subject}`;
        const base = { where, subject: cert.summary.subject, position: index };
        const key = weakKey(cert);
        if (key) keys.push({ ...base, detail: key });
        const signature = weakSignature(cert);
        if (signature) signatures.push({ ...base, detail: signature });
        if (cert.summary.version === 1 && !(index > 0 && cert.summary.selfSigned)) v1.push({ ...base, detail: 'X.509 v1' });
      }
      if (keys.length > 0) {
        drafts.push({
          id: 'weak-key',
          explanation: `${capital(listed(keys, (w) => `${w.where} has a weak key: ${w.detail}`))} (frame ${sent.frame}). OpenSSL at security level 2 (the default on Debian, Ubuntu and RHEL) rejects RSA keys under 2048 bits ("ee key too small"), as do browsers and current Java policies.${rejected}`,
          evidence: { frames, fields: { side, subjects: keys.map((w) => w.subject), keys: keys.map((w) => w.detail), chain_positions: keys.map((w) => String(w.position)) } },
          ...link,
        });
      }
      if (signatures.length > 0) {
        drafts.push({
          id: 'weak-signature-algorithm',
          explanation: `${capital(listed(signatures, (w) => `${w.where} is signed with ${w.detail}`))} (frame ${sent.frame}). OpenSSL 3 at security level 1 and above, browsers and Java reject MD5 and SHA-1 certificate signatures ("ca md too weak").${rejected}`,
          evidence: { frames, fields: { side, subjects: signatures.map((w) => w.subject), signature_algorithms: signatures.map((w) => w.detail), chain_positions: signatures.map((w) => String(w.position)) } },
          ...link,
        });
      }
      if (v1.length > 0) {
        drafts.push({
          id: 'v1-certificate',
          explanation: `${capital(listed(v1, (w) => w.where))} ${v1.length === 1 ? 'is an X.509 version 1 certificate' : 'are X.509 version 1 certificates'} (frame ${sent.frame}): no extensions, so no subjectAltName, key usage or basicConstraints. Clients cannot match a host name against it (no SAN) and OpenSSL does not accept a v1 certificate as an intermediate CA.`,
          evidence: { frames: [sent.frame], fields: { side, subjects: v1.map((w) => w.subject), chain_positions: v1.map((w) => String(w.position)) } },
        });
      }
    }
    return drafts;
  },
};

const WEAKNESS_WORDS: Readonly<Record<CipherSuiteWeakness, string>> = {
  'null-encryption': 'no encryption at all (NULL cipher): the traffic is readable by anyone on the path',
  anonymous: 'anonymous key exchange: the server is not authenticated, so anyone on the path can impersonate it',
  export: 'an export-grade (40/56-bit) key, broken in minutes (FREAK, Logjam)',
  rc4: 'RC4, whose biases leak plaintext (RFC 7465 prohibits it)',
  des: 'single DES, a 56-bit key broken by brute force',
  '3des': '3DES, a 64-bit block cipher open to Sweet32 on long connections',
};

/** A negotiated cipher suite that is unencrypted, unauthenticated, export-grade, RC4, DES or 3DES. */
export const weakCipherSuite: Rule = {
  produces: ['weak-cipher-suite'],
  run({ connection, facts, report }) {
    if (facts.cipherSuite === null) return [];
    const weakness = cipherSuiteWeakness(facts.cipherSuite);
    if (weakness === null) return [];
    const serverHello = findMessage(connection, 'server', 'ServerHello');
    const frame = serverHello?.frame ?? report.firstFrame;
    return [
      {
        id: 'weak-cipher-suite',
        explanation: `The server chose ${report.cipherSuite ?? `cipher suite 0x${facts.cipherSuite.toString(16).padStart(4, '0')}`} in frame ${frame}: ${WEAKNESS_WORDS[weakness]}. Current clients refuse it (OpenSSL 3 only at @SECLEVEL=0, browsers and Java not at all), so they fail against this server while this client still got through.`,
        evidence: { frames: [frame], fields: { cipher_suite: report.cipherSuite, weakness, offered_cipher_suites: connection.clientHello?.cipherSuites.length ?? null } },
      },
    ];
  },
};

function listed(items: readonly Weak[], say: (w: Weak) => string): string {
  const parts = items.map(say);
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join('; ')}; and ${parts.at(-1)}`;
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
