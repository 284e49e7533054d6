/**
 * A set of trust anchors decoded once and indexed by subject name, for judging many server chains quickly:
 * Node's bundled Mozilla root store (`tls.rootCertificates`, what browsers and Zeek trust), the operating
 * system's store, or the bundle the user gave. `judgeChain` gives the short status Zeek's validation_status
 * maps to (docs/output.md, serverChainStatus).
 */
import { existsSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { isIssuedBy, isSelfSigned, verifyIssuedBy } from './chain.js';
import { decodeCertificate, isCertificateDecodeError } from './decode.js';
import { children, readTlv } from './der.js';
import { certificatesFromPem, loadCertificates } from './load.js';
import { parseNameAt } from './names.js';
import type { DecodedCertificate } from './types.js';

export type TrustStoreSource = 'mozilla' | 'system' | 'given';

interface Anchor {
  der: Uint8Array;
  decoded: DecodedCertificate | null | undefined;
}

/**
 * Anchors indexed by the comparison key of their subject name. Only that name is read up front (a DER walk):
 * decoding all 140-odd Mozilla roots costs most of a second, and a run needs the few that issue the chains it
 * meets — each of those is decoded on first use.
 */
export class TrustStore {
  private readonly bySubject = new Map<string, Anchor[]>();
  readonly size: number;

  constructor(
    readonly source: TrustStoreSource,
    ders: readonly Uint8Array[],
  ) {
    const seen = new Set<string>();
    let size = 0;
    for (const der of ders) {
      const key = subjectKeyOf(der);
      if (key === null) continue;
      const fingerprint = `${key}\u0000${Buffer.from(der).toString('base64')}`;
      if (seen.has(fingerprint)) continue;
      seen.add(fingerprint);
      const list = this.bySubject.get(key) ?? [];
      list.push({ der, decoded: undefined });
      this.bySubject.set(key, list);
      size++;
    }
    this.size = size;
  }

  private decodedOf(key: string): DecodedCertificate[] {
    const out: DecodedCertificate[] = [];
    for (const anchor of this.bySubject.get(key) ?? []) {
      if (anchor.decoded === undefined) {
        const d = decodeCertificate(anchor.der);
        anchor.decoded = isCertificateDecodeError(d) ? null : d;
      }
      if (anchor.decoded) out.push(anchor.decoded);
    }
    return out;
  }

  /** Anchors that may have issued `cert`: same name as its issuer, key identifiers not contradicting. */
  issuersOf(cert: DecodedCertificate): DecodedCertificate[] {
    if (cert.issuerKey === '') return [];
    return this.decodedOf(cert.issuerKey).filter((a) => isIssuedBy(cert, a));
  }

  /** True when this very certificate (same DER) is an anchor. */
  has(cert: DecodedCertificate): boolean {
    return cert.subjectKey !== '' && this.decodedOf(cert.subjectKey).some((a) => a.summary.sha256 === cert.summary.sha256);
  }
}

/** The comparison key of a certificate's subject, read with the DER walker only; null when it does not parse. */
function subjectKeyOf(der: Uint8Array): string | null {
  try {
    const cert = readTlv(der, 0);
    const tbs = readTlv(der, cert.contentStart, cert.end);
    const fields = children(der, tbs);
    const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
    // serialNumber, signature, issuer, validity, subject
    const subject = fields[offset + 4];
    return subject ? parseNameAt(der, subject).key : null;
  } catch {
    return null;
  }
}

let mozilla: TrustStore | null = null;
const system = new Map<string, TrustStore>();

/** Node's bundled Mozilla root store, decoded once per process. */
export function mozillaTrustStore(): TrustStore {
  mozilla ??= new TrustStore('mozilla', rootCertificates.flatMap((pem) => certificatesFromPem(pem)));
  return mozilla;
}

/** Debian/Ubuntu's bundle, else the directory of PEM files. */
export const SYSTEM_TRUST_PATHS = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/certs'];

/** The operating system's store (the first of SYSTEM_TRUST_PATHS that exists), decoded once per process. */
export function systemTrustStore(): TrustStore {
  const path = SYSTEM_TRUST_PATHS.find((p) => existsSync(p));
  if (!path) throw new Error(`no system trust store found (looked for ${SYSTEM_TRUST_PATHS.join(', ')})`);
  let store = system.get(path);
  if (!store) {
    store = new TrustStore('system', loadCertificates(path));
    system.set(path, store);
  }
  return store;
}

/**
 * Short stable codes for a server chain's trust (JSON serverChainStatus), after OpenSSL's verify errors:
 * ok; unable-to-get-issuer (20/2: an issuer neither sent nor an anchor — often a missing intermediate);
 * self-signed (18: a self-signed leaf that is not an anchor); untrusted (19: the chain ends at a root that is
 * not an anchor, or a signature does not verify); expired (10) / not-yet-valid (9) on a path to an anchor.
 */
export type ChainStatus = 'ok' | 'unable-to-get-issuer' | 'self-signed' | 'expired' | 'not-yet-valid' | 'untrusted';

export interface ChainJudgement {
  status: ChainStatus;
  /** The path built, leaf first (the anchor last when one was reached). */
  path: DecodedCertificate[];
  /** The anchor reached, or null. */
  anchor: DecodedCertificate | null;
  /** The certificate whose issuer was not found (status unable-to-get-issuer). */
  stoppedAt: DecodedCertificate | null;
  /** With expired / not-yet-valid / untrusted (signature): the certificate that failed. */
  failedAt: DecodedCertificate | null;
}

/**
 * Builds the path from the leaf through the presented certificates to an anchor of `store` (trusted issuers
 * first, as OpenSSL does) and judges it at `time`. Extension checks (EKU, path length) and host names are
 * left to their own findings.
 */
export async function judgeChain(chain: readonly DecodedCertificate[], store: TrustStore, time: Date): Promise<ChainJudgement> {
  const leaf = chain[0]!;
  const path = [leaf];
  const used = new Set<DecodedCertificate>([leaf]);
  let anchor: DecodedCertificate | null = store.has(leaf) ? leaf : null;
  while (!anchor) {
    const current = path.at(-1)!;
    const trusted = await verifiedFirst(current, store.issuersOf(current).filter((a) => a.summary.sha256 !== current.summary.sha256));
    if (trusted) {
      path.push(trusted);
      anchor = trusted;
      break;
    }
    if (isSelfSigned(current)) {
      return { status: path.length === 1 ? 'self-signed' : 'untrusted', path, anchor: null, stoppedAt: null, failedAt: null };
    }
    const next = await verifiedFirst(current, chain.filter((c) => !used.has(c) && isIssuedBy(current, c)));
    if (!next) return { status: 'unable-to-get-issuer', path, anchor: null, stoppedAt: current, failedAt: null };
    used.add(next);
    path.push(next);
  }
  // OpenSSL's internal_verify: from the anchor down, each signature, then each certificate's time.
  for (let i = path.length - 1; i >= 0; i--) {
    const cert = path[i]!;
    if (i + 1 < path.length && !(await verifyIssuedBy(cert, path[i + 1]!)).ok) {
      return { status: 'untrusted', path, anchor, stoppedAt: null, failedAt: cert };
    }
    if (cert.notBefore.getTime() > time.getTime()) return { status: 'not-yet-valid', path, anchor, stoppedAt: null, failedAt: cert };
    if (cert.notAfter.getTime() < time.getTime()) return { status: 'expired', path, anchor, stoppedAt: null, failedAt: cert };
  }
  return { status: 'ok', path, anchor, stoppedAt: null, failedAt: null };
}

/** The first candidate whose signature on `cert` verifies, else the first candidate, else null. */
async function verifiedFirst(cert: DecodedCertificate, candidates: DecodedCertificate[]): Promise<DecodedCertificate | null> {
  for (const c of candidates) if ((await verifyIssuedBy(cert, c)).ok) return c;
  return candidates[0] ?? null;
}
