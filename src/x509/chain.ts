/**
 * Offline chain validation, modelled on what `openssl verify` (OpenSSL 3.0) decides for TLS peers, so
 * that tlsdiag's explanation agrees with what the peer that rejected the certificate saw.
 * See docs/certificates.md for the steps and where they differ from RFC 5280.
 */
import { decodeCertificate, isCertificateDecodeError } from './decode.js';
import { EKU_OID } from './oids.js';
import { sameBytes } from '../util/bytes.js';
import { errorMessage } from '../util/errors.js';
import type {
  ChainFailure,
  ChainFailureCode,
  ChainPurpose,
  ChainValidation,
  DecodedCertificate,
  ValidateChainOptions,
} from './types.js';

type CertInput = Uint8Array | DecodedCertificate;

function decoded(c: CertInput): DecodedCertificate | null {
  if (c instanceof Uint8Array) {
    const d = decodeCertificate(c);
    return isCertificateDecodeError(d) ? null : d;
  }
  return c;
}

/** The AKI of `cert` does not contradict the SKI of `issuer` (either may be absent). */
function keyIdentifiersAgree(cert: DecodedCertificate, issuer: DecodedCertificate): boolean {
  return cert.authorityKeyIdentifier === null || issuer.subjectKeyIdentifier === null || cert.authorityKeyIdentifier === issuer.subjectKeyIdentifier;
}

/**
 * True when `candidate` may have issued `cert`: cert's issuer name matches candidate's subject (RFC 5280
 * §7.1 comparison) and cert's AKI, when both identifiers are present, equals candidate's SKI.
 * The signature is not checked here (see verifyIssuedBy).
 */
export function isIssuedBy(cert: CertInput, candidate: CertInput): boolean {
  const c = decoded(cert);
  const i = decoded(candidate);
  if (!c || !i) return false;
  return c.issuerKey !== '' && c.issuerKey === i.subjectKey && keyIdentifiersAgree(c, i);
}

/** Self-issued (subject matches issuer) with no contradicting key identifiers; the signature is not checked. */
export function isSelfSigned(cert: CertInput): boolean {
  return isIssuedBy(cert, cert);
}

type SignatureVerdict = { ok: true } | { ok: false; unsupported: boolean; message: string };

/** Signature verdicts by (certificate, issuer) SHA-256: a capture repeats the same chain in every handshake. */
const SIGNATURE_CACHE_LIMIT = 4096;
const signatureCache = new Map<string, Promise<SignatureVerdict>>();

/** Checks the signature of `cert` with the public key of `issuer` (each pair once, see the cache above). */
export function verifyIssuedBy(cert: DecodedCertificate, issuer: DecodedCertificate): Promise<SignatureVerdict> {
  const key = `${cert.summary.sha256}:${issuer.summary.sha256}`;
  const cached = signatureCache.get(key);
  if (cached) return cached;
  const verdict = verifyUncached(cert, issuer);
  if (signatureCache.size >= SIGNATURE_CACHE_LIMIT) signatureCache.delete(signatureCache.keys().next().value!);
  signatureCache.set(key, verdict);
  return verdict;
}

async function verifyUncached(cert: DecodedCertificate, issuer: DecodedCertificate): Promise<SignatureVerdict> {
  try {
    const ok = await cert.certificate.verify({ publicKey: issuer.certificate.publicKey, signatureOnly: true });
    return ok ? { ok: true } : { ok: false, unsupported: false, message: 'the signature does not verify with the issuer key' };
  } catch (e) {
    return { ok: false, unsupported: true, message: `the signature could not be checked: ${errorMessage(e)}` };
  }
}

export interface ChainOrder {
  /** True when every certificate is issued (by name and key identifiers) by the next one. */
  ordered: boolean;
  /** Index i of the first certificate that is not issued by certificate i+1, or null. */
  firstBreak: number | null;
  /** Indexes of certificates that do not decode. */
  undecodable: number[];
}

/** TLS wants each certificate to certify the one before it (RFC 5246 §7.4.2); RFC 8446 relaxes it. */
export function checkChainOrder(presented: CertInput[]): ChainOrder {
  const certs = presented.map(decoded);
  const undecodable = certs.flatMap((c, i) => (c ? [] : [i]));
  for (let i = 0; i + 1 < certs.length; i++) {
    const c = certs[i];
    const next = certs[i + 1];
    if (!c || !next || !isIssuedBy(c, next)) return { ordered: false, firstBreak: i, undecodable };
  }
  return { ordered: true, firstBreak: null, undecodable };
}

interface PathEntry {
  cert: DecodedCertificate;
  from: 'presented' | 'anchor';
  index: number;
}

interface IssuerChoice {
  found: { cert: DecodedCertificate; index: number } | null;
  /** Candidates with the issuer's name whose subject key identifier is not the certificate's AKI. */
  otherKeyOfSameName: number;
}

/**
 * Among candidates that match by name and key identifier, prefer one whose signature verifies (else the
 * first, whose signature check then fails). Like OpenSSL's X509_check_akid, a candidate whose SKI differs
 * from the certificate's AKI is not an issuer at all: counted, to say so when no issuer is found.
 */
async function pickIssuer(cert: DecodedCertificate, candidates: Array<{ cert: DecodedCertificate; index: number }>): Promise<IssuerChoice> {
  const sameName = candidates.filter((c) => cert.issuerKey !== '' && cert.issuerKey === c.cert.subjectKey);
  const matching = sameName.filter((c) => isIssuedBy(cert, c.cert));
  const otherKeyOfSameName = sameName.length - matching.length;
  for (const m of matching) if ((await verifyIssuedBy(cert, m.cert)).ok) return { found: m, otherKeyOfSameName };
  return { found: matching[0] ?? null, otherKeyOfSameName };
}

const LEAF_KEY_USAGES: Record<ChainPurpose, string[]> = {
  // OpenSSL's check_purpose_ssl_client / _server (crypto/x509/v3_purp.c).
  clientAuth: ['digitalSignature', 'keyAgreement'],
  serverAuth: ['digitalSignature', 'keyEncipherment', 'keyAgreement'],
};

export async function validateChain(options: ValidateChainOptions): Promise<ChainValidation> {
  const { presented, anchors, time, purpose, maxDepth } = options;
  const result: ChainValidation = {
    ok: false,
    path: [],
    sources: [],
    anchored: false,
    incomplete: false,
    failure: null,
    failures: [],
    unusedPresented: [],
    notes: [],
  };
  if (presented.length === 0) {
    result.failure = { index: 0, subject: '', issuer: '', code: 'no-certificate', message: 'no certificate was presented' };
    result.failures.push(result.failure);
    return result;
  }
  const leafDecoded = decodeCertificate(presented[0]!);
  if (isCertificateDecodeError(leafDecoded)) {
    result.failure = { index: 0, subject: '', issuer: '', code: 'undecodable', message: `the leaf certificate does not decode: ${leafDecoded.message}` };
    result.failures.push(result.failure);
    result.unusedPresented = presented.map((_, i) => i).slice(1);
    return result;
  }
  const others: Array<{ cert: DecodedCertificate; index: number }> = [];
  presented.forEach((der, index) => {
    if (index === 0) return;
    const d = decodeCertificate(der);
    if (isCertificateDecodeError(d)) result.notes.push(`presented certificate ${index} does not decode: ${d.message}`);
    else others.push({ cert: d, index });
  });
  const trusted: Array<{ cert: DecodedCertificate; index: number }> = [];
  anchors.forEach((der, index) => {
    const d = decodeCertificate(der);
    if (!isCertificateDecodeError(d)) trusted.push({ cert: d, index });
  });

  // --- Build the path: trusted issuers first (OpenSSL's default X509_V_FLAG_TRUSTED_FIRST). ---
  const path: PathEntry[] = [{ cert: leafDecoded, from: 'presented', index: 0 }];
  const used = new Set<number>([0]);
  let buildFailure: ChainFailure | null = null;
  const leafAnchor = trusted.find((t) => sameBytes(t.cert.der, leafDecoded.der));
  if (leafAnchor) {
    path[0] = { cert: leafDecoded, from: 'anchor', index: leafAnchor.index };
    result.anchored = true;
  }
  while (!result.anchored && !buildFailure) {
    const current = path[path.length - 1]!.cert;
    const at = path.length - 1;
    const anchorChoice = await pickIssuer(current, trusted);
    const anchor = anchorChoice.found;
    if (anchor && !(isSelfSigned(current) && sameBytes(anchor.cert.der, current.der))) {
      path.push({ cert: anchor.cert, from: 'anchor', index: anchor.index });
      result.anchored = true;
      break;
    }
    if (isSelfSigned(current)) {
      const code: ChainFailureCode = at === 0 ? 'untrusted-self-signed' : 'untrusted-root';
      buildFailure = failureAt(at, current, code, at === 0
        ? 'the certificate is self-signed and not among the trust anchors'
        : 'the chain ends at a self-signed certificate that is not among the trust anchors');
      break;
    }
    const nextChoice = await pickIssuer(current, others.filter((o) => !used.has(o.index)));
    const next = nextChoice.found;
    if (!next) {
      result.incomplete = true;
      const sameName = anchorChoice.otherKeyOfSameName + nextChoice.otherKeyOfSameName;
      const why = sameName > 0
        ? ` (${sameName} certificate(s) with that name are there, but with another key: their subject key identifier is not this certificate's authority key identifier ${current.authorityKeyIdentifier})`
        : '';
      buildFailure = {
        ...failureAt(at, current, 'issuer-not-found', `the issuer ${current.issuerName.rfc4514} is neither presented nor a trust anchor${why}`),
        missingIssuer: current.issuerName.rfc4514,
      };
      break;
    }
    used.add(next.index);
    path.push({ cert: next.cert, from: 'presented', index: next.index });
  }
  result.path = path.map((p) => p.cert.subjectName.rfc4514);
  result.sources = path.map((p) => ({ from: p.from, index: p.index }));
  result.unusedPresented = presented.map((_, i) => i).filter((i) => !used.has(i));

  // --- Depth: intermediates only (OpenSSL 3 -verify_depth / nginx ssl_verify_depth). ---
  const intermediates = path.length - 1 - (result.anchored && path.length > 1 ? 1 : 0);
  if (maxDepth !== undefined && intermediates > maxDepth && !buildFailure) {
    const at = maxDepth + 1;
    buildFailure = failureAt(at, path[at]!.cert, 'depth-exceeded',
      `the path has ${intermediates} intermediate certificate(s); at most ${maxDepth} allowed`);
  }

  // --- Check the path in the order OpenSSL 3.0 reports: first the extension checks of check_chain(), leaf
  // upward; then internal_verify(), anchor downward, each certificate's signature before its validity. ---
  const extensionFailures: ChainFailure[] = [];
  for (let i = 0; i < path.length; i++) {
    const cert = path[i]!.cert;
    const found = i === 0 ? checkLeaf(cert, purpose, result.notes) : checkIssuer(path, i, path[i]!.from === 'anchor', purpose);
    found.forEach((f) => extensionFailures.push(failureAt(i, cert, f.code, f.message)));
  }
  const signatureAndTimeFailures: ChainFailure[] = [];
  for (let i = path.length - 1; i >= 0; i--) {
    const cert = path[i]!.cert;
    if (i + 1 < path.length) {
      const verdict = await verifyIssuedBy(cert, path[i + 1]!.cert);
      if (!verdict.ok) signatureAndTimeFailures.push(failureAt(i, cert, verdict.unsupported ? 'signature-unsupported' : 'signature-invalid', verdict.message));
    }
    if (cert.notBefore.getTime() > time.getTime()) {
      signatureAndTimeFailures.push(failureAt(i, cert, 'not-yet-valid', `not valid before ${cert.summary.notBefore} (checked at ${time.toISOString()})`));
    } else if (cert.notAfter.getTime() < time.getTime()) {
      signatureAndTimeFailures.push(failureAt(i, cert, 'expired', `expired at ${cert.summary.notAfter} (checked at ${time.toISOString()})`));
    }
  }
  const linkFailures = [...extensionFailures, ...signatureAndTimeFailures];
  result.failures = buildFailure ? [buildFailure, ...linkFailures] : linkFailures;
  result.failure = result.failures[0] ?? null;
  result.ok = result.anchored && result.failures.length === 0;
  return result;
}

function failureAt(index: number, cert: DecodedCertificate, code: ChainFailureCode, message: string): ChainFailure {
  return { index, subject: cert.subjectName.rfc4514, issuer: cert.issuerName.rfc4514, code, message };
}

function checkLeaf(cert: DecodedCertificate, purpose: ChainPurpose, notes: string[]): Array<{ code: ChainFailureCode; message: string }> {
  const out: Array<{ code: ChainFailureCode; message: string }> = [];
  if (cert.keyUsage) {
    const accepted = LEAF_KEY_USAGES[purpose];
    if (!cert.keyUsage.some((u) => accepted.includes(u))) {
      out.push({ code: 'key-usage-missing', message: `keyUsage (${cert.keyUsage.join(', ') || 'empty'}) has none of ${accepted.join(', ')} needed for ${purpose}` });
    } else if (!cert.keyUsage.includes('digitalSignature')) {
      notes.push(`the leaf keyUsage lacks digitalSignature (${cert.keyUsage.join(', ')}): it cannot sign, so it works only with RSA or static (EC)DH key exchange in TLS 1.2, not with ECDHE signatures or TLS 1.3`);
    }
  }
  if (cert.extendedKeyUsageOids && !cert.extendedKeyUsageOids.includes(EKU_OID[purpose])) {
    out.push({ code: 'eku-missing', message: `extendedKeyUsage (${cert.summary.extendedKeyUsage!.join(', ')}) does not include ${purpose}` });
  }
  return out;
}

function checkIssuer(path: PathEntry[], i: number, isAnchor: boolean, purpose: ChainPurpose): Array<{ code: ChainFailureCode; message: string }> {
  const cert = path[i]!.cert;
  const out: Array<{ code: ChainFailureCode; message: string }> = [];
  // OpenSSL accepts a version 1 self-signed trust anchor as a CA (X509_check_ca returns 3 for it).
  const v1Root = isAnchor && cert.summary.version === 1 && isSelfSigned(cert);
  if (!cert.basicConstraints?.ca && !v1Root) {
    out.push({
      code: 'not-a-ca',
      message: cert.basicConstraints ? 'basicConstraints says CA:FALSE, yet it issued the certificate below it' : 'no basicConstraints CA:TRUE, yet it issued the certificate below it',
    });
  }
  if (cert.keyUsage && !cert.keyUsage.includes('keyCertSign')) {
    out.push({ code: 'key-usage-missing', message: `keyUsage (${cert.keyUsage.join(', ') || 'empty'}) lacks keyCertSign` });
  }
  // OpenSSL also refuses an intermediate whose EKU excludes the purpose; a trust anchor's EKU is not checked.
  if (!isAnchor && cert.extendedKeyUsageOids && !cert.extendedKeyUsageOids.includes(EKU_OID[purpose])) {
    out.push({ code: 'eku-missing', message: `the CA's extendedKeyUsage (${cert.summary.extendedKeyUsage!.join(', ')}) excludes ${purpose}` });
  }
  const pathLength = cert.basicConstraints?.pathLength ?? null;
  if (pathLength !== null) {
    // Intermediates below this CA, not counting self-issued ones (RFC 5280 §4.2.1.9).
    const below = path.slice(1, i).filter((p) => !isSelfSigned(p.cert)).length;
    if (below > pathLength) {
      out.push({ code: 'path-length-exceeded', message: `pathlen:${pathLength} allows ${pathLength} intermediate(s) below it, the path has ${below}` });
    }
  }
  return out;
}
