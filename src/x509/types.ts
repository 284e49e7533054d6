import type { X509Certificate } from '@peculiar/x509';
import type { ParsedName } from './names.js';

/** What a certificate says, as text and numbers: names RFC 4514, times ISO 8601, hashes and identifiers hex. */
export interface CertificateFields {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  version: number;
  selfSigned: boolean;
  publicKey: { algorithm: string; size: number | null; curve: string | null };
  signatureAlgorithm: string;
  subjectAltNames: string[];
  basicConstraints: { ca: boolean; pathLength: number | null } | null;
  keyUsage: string[] | null;
  extendedKeyUsage: string[] | null;
  subjectKeyIdentifier: string | null;
  authorityKeyIdentifier: string | null;
  aiaCaIssuers: string[];
  aiaOcsp: string[];
  crlDistributionPoints: string[];
  sha256: string;
  /** SHA-1 of the DER: the thumbprint Windows, Java keytool and most CA portals show. */
  sha1: string;
}

/** A certificate decoded once (cached by the SHA-256 of its DER). */
export interface DecodedCertificate {
  kind: 'certificate';
  der: Uint8Array;
  /** Its fields as text (the report's CertificateSummary is made from them, src/model/report.ts). */
  summary: CertificateFields;
  subjectName: ParsedName;
  issuerName: ParsedName;
  /** Exact DER of the subject and issuer Names. */
  subjectDer: Uint8Array;
  issuerDer: Uint8Array;
  /** RFC 5280 §7.1 comparison keys (see names.ts). */
  subjectKey: string;
  issuerKey: string;
  notBefore: Date;
  notAfter: Date;
  /** Raw extension facts the validation needs; null where the extension is absent. */
  basicConstraints: { ca: boolean; pathLength: number | null } | null;
  /** Key usage names as in the summary; null when the extension is absent. */
  keyUsage: string[] | null;
  /** EKU OIDs; null when the extension is absent. */
  extendedKeyUsageOids: string[] | null;
  subjectKeyIdentifier: string | null;
  authorityKeyIdentifier: string | null;
  /** True when the certificate carries no extensions field at all (v1, or v3 without extensions). */
  hasExtensions: boolean;
  /** Parts that did not decode (a malformed extension): the rest of the certificate is still usable. */
  problems: string[];
  /** The @peculiar/x509 object, for signature checks. */
  certificate: X509Certificate;
}

export type CertificateDecodeStage = 'der' | 'structure' | 'name' | 'public-key' | 'peculiar';

/** What `decodeCertificate` returns instead of throwing when the bytes are not a certificate. */
export interface CertificateDecodeError {
  kind: 'certificate-decode-error';
  stage: CertificateDecodeStage;
  message: string;
  /** Offset in the DER where decoding failed, when known. */
  offset: number | null;
  /** SHA-256 of the bytes, to tell which certificate of a chain failed. */
  sha256: string;
  length: number;
}

export type ChainFailureCode =
  | 'no-certificate'
  | 'undecodable'
  | 'issuer-not-found'
  | 'untrusted-self-signed'
  | 'untrusted-root'
  | 'signature-invalid'
  | 'signature-unsupported'
  | 'expired'
  | 'not-yet-valid'
  | 'not-a-ca'
  | 'path-length-exceeded'
  | 'key-usage-missing'
  | 'eku-missing'
  | 'depth-exceeded';

export interface ChainFailure {
  /** Position in `path` (0 = leaf) of the certificate the check failed on. */
  index: number;
  subject: string;
  issuer: string;
  code: ChainFailureCode;
  message: string;
  /** RFC 4514 name of the issuer that was looked for, with code 'issuer-not-found'. */
  missingIssuer?: string;
}

export interface ChainValidation {
  ok: boolean;
  /** Subjects (RFC 4514) of the built path, leaf first, anchor last when one was reached. */
  path: string[];
  /** Where each path element came from: an index into `presented` or into `anchors`. */
  sources: Array<{ from: 'presented' | 'anchor'; index: number }>;
  /** True when the path ends at a trust anchor. */
  anchored: boolean;
  /**
   * True when the path stops at a certificate that is not self-signed and whose issuer is neither among
   * the presented certificates nor the anchors: the sender left out (at least) one intermediate, or it
   * chains to a CA we were not given.
   */
  incomplete: boolean;
  /**
   * The failure to report: the first one OpenSSL 3.0 would report (and so the one behind the peer's alert):
   * a path-building failure (issuer not found, untrusted root, depth) when there is one; else the first
   * extension check that fails (CA, key usage, purpose, path length), leaf upward; else the first signature
   * or validity failure, anchor downward.
   */
  failure: ChainFailure | null;
  /** Every failed check, in the order described for `failure`. */
  failures: ChainFailure[];
  /** Indexes of presented certificates that are not part of the path (extra or unrelated). */
  unusedPresented: number[];
  /** Facts worth telling that do not fail validation (e.g. a leaf usable only for RSA key exchange). */
  notes: string[];
}

export type ChainPurpose = 'clientAuth' | 'serverAuth';

export interface ValidateChainOptions {
  /** Certificates as sent, leaf first; the others in any order. */
  presented: Uint8Array[];
  anchors: Uint8Array[];
  time: Date;
  purpose: ChainPurpose;
  /** OpenSSL 3 meaning: the number of intermediates allowed (neither the leaf nor the anchor counts). */
  maxDepth?: number;
}
