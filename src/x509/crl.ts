/**
 * Certificate revocation lists as a TLS server (or client) that was given them checks them: OpenSSL 3.0 with
 * X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL, what nginx sets once `ssl_crl` is configured. Every
 * certificate of the path, the trust anchor included, needs a CRL from its issuer (the anchor's issuer is
 * itself); per certificate the CRL is found by issuer name, then checked for its signature, its time and
 * the certificate's serial — in that order, as OpenSSL's check_crl() then cert_crl() do.
 * See docs/certificates.md ("Revocation lists") for what is and is not modelled.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readBoundedFile } from '../bounded-file.js';
import { AsnConvert, AsnParser } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  CertificateList,
  CRLReason,
  CRLReasons,
  Name,
  id_ce_authorityKeyIdentifier,
  id_ce_cRLNumber,
  id_ce_cRLReasons,
  id_ce_deltaCRLIndicator,
} from '@peculiar/asn1-x509';
import { X509Crl } from './peculiar.js';
import { toHex } from '../util/bytes.js';
import { errorMessage } from '../util/errors.js';
import { parseName, type ParsedName } from './names.js';
import { TrustMaterialError } from './load.js';
import type { DecodedCertificate } from './types.js';

export interface RevokedEntry {
  /** Serial as `openssl crl -text` prints it (hex, upper case, no sign octet). */
  serialNumber: string;
  revocationDate: Date;
  /** RFC 5280 reason name (keyCompromise, …), null when the entry has none. */
  reason: string | null;
}

/** A CRL decoded once: what the checks need, with the revoked serials indexed. */
export interface DecodedCrl {
  kind: 'crl';
  der: Uint8Array;
  /** Where it came from (file path), for evidence. */
  source: string;
  issuerName: ParsedName;
  thisUpdate: Date;
  nextUpdate: Date | null;
  authorityKeyIdentifier: string | null;
  crlNumber: string | null;
  /** A delta CRL (deltaCRLIndicator): OpenSSL ignores it unless told to use deltas, which nginx does not. */
  delta: boolean;
  revokedCount: number;
  /** Normalised serial (lower-case hex, no leading zeros) → entry. */
  revoked: Map<string, RevokedEntry>;
  /** The @peculiar/x509 object, for the signature check. */
  crl: X509Crl;
}

export interface LoadedCrls {
  crls: DecodedCrl[];
  /** PEM blocks that were not CRLs (by label) and files that held none. */
  skipped: string[];
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Lower-case hex without leading zeros: serials compare this way whatever their spelling. */
export function normalizeSerial(hex: string): string {
  return hex.toLowerCase().replace(/[^0-9a-f]/g, '').replace(/^0+(?=.)/, '');
}

/** Decodes one DER CRL; throws an Error that says what is wrong. */
export function decodeCrl(der: Uint8Array, source: string): DecodedCrl {
  let list: CertificateList;
  try {
    list = AsnParser.parse(der, CertificateList);
  } catch (e) {
    throw new Error(`${source}: not a CRL (CertificateList): ${errorMessage(e)}`);
  }
  const tbs = list.tbsCertList;
  const issuerName = parseName(new Uint8Array(AsnConvert.serialize(tbs.issuer as Name)));
  let aki: string | null = null;
  let crlNumber: string | null = null;
  let delta = false;
  for (const ext of tbs.crlExtensions ?? []) {
    if (ext.extnID === id_ce_authorityKeyIdentifier) {
      const id = AsnParser.parse(new Uint8Array(ext.extnValue.buffer), AuthorityKeyIdentifier).keyIdentifier;
      aki = id ? toHex(new Uint8Array(id.buffer)) : null;
    } else if (ext.extnID === id_ce_deltaCRLIndicator) delta = true;
    else if (ext.extnID === id_ce_cRLNumber) crlNumber = integerHex(new Uint8Array(ext.extnValue.buffer).subarray(2));
  }
  const revoked = new Map<string, RevokedEntry>();
  for (const entry of tbs.revokedCertificates ?? []) {
    const serialNumber = integerHex(new Uint8Array(entry.userCertificate)).toUpperCase();
    let reason: string | null = null;
    for (const ext of entry.crlEntryExtensions ?? []) {
      if (ext.extnID !== id_ce_cRLReasons) continue;
      const code = AsnParser.parse(new Uint8Array(ext.extnValue.buffer), CRLReason).reason;
      reason = CRLReasons[code] ?? `reason ${code}`;
    }
    revoked.set(normalizeSerial(serialNumber), { serialNumber, revocationDate: entry.revocationDate.getTime(), reason });
  }
  return {
    kind: 'crl',
    der: new Uint8Array(der),
    source,
    issuerName,
    thisUpdate: tbs.thisUpdate.getTime(),
    nextUpdate: tbs.nextUpdate ? tbs.nextUpdate.getTime() : null,
    authorityKeyIdentifier: aki,
    crlNumber,
    delta,
    revokedCount: revoked.size,
    revoked,
    crl: new X509Crl(der),
  };
}

/** An INTEGER's content octets as hex without the sign octet DER adds (as openssl prints serials). */
function integerHex(content: Uint8Array): string {
  const start = content.length > 1 && content[0] === 0 ? 1 : 0;
  return toHex(content.subarray(start));
}

function crlsFromFile(path: string, result: LoadedCrls): void {
  const bytes = new Uint8Array(readBoundedFile(path));
  const text = Buffer.from(bytes).toString('latin1');
  if (text.includes('-----BEGIN ')) {
    let found = 0;
    for (const match of text.matchAll(PEM_BLOCK)) {
      if (match[1] !== 'X509 CRL') {
        result.skipped.push(`${path}: ${match[1]}`);
        continue;
      }
      result.crls.push(decodeCrl(new Uint8Array(Buffer.from(match[2]!.replace(/\s+/g, ''), 'base64')), path));
      found++;
    }
    if (found === 0) result.skipped.push(`${path}: no CRL`);
  } else if (bytes.length > 0 && bytes[0] === 0x30) {
    result.crls.push(decodeCrl(bytes, path));
  } else {
    result.skipped.push(`${path}: neither PEM nor DER`);
  }
}

/**
 * CRLs from a PEM file (any number of X509 CRL blocks, as nginx's ssl_crl reads), a DER file, or a directory
 * of such files (every regular file, in name order — a superset of OpenSSL's hashed `<hash>.r0` CA-path
 * lookup). Throws TrustMaterialError when a path is unreadable, holds no CRL at all, or a CRL does not decode:
 * a CRL the user gave that tlsdiag cannot read must not silently read as "no CRL".
 */
export function loadCrls(pathOrDir: string): LoadedCrls {
  const result: LoadedCrls = { crls: [], skipped: [] };
  let isDirectory: boolean;
  try {
    isDirectory = statSync(pathOrDir).isDirectory();
  } catch (e) {
    throw new TrustMaterialError(`cannot read CRL ${pathOrDir}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, pathOrDir);
  }
  const files = isDirectory
    ? readdirSync(pathOrDir)
        .sort()
        .map((entry) => join(pathOrDir, entry))
        .filter((full) => {
          try {
            return statSync(full).isFile();
          } catch {
            return false;
          }
        })
    : [pathOrDir];
  for (const file of files) {
    try {
      crlsFromFile(file, result);
    } catch (e) {
      throw new TrustMaterialError(errorMessage(e), file);
    }
  }
  if (result.crls.length === 0) throw new TrustMaterialError(`no CRL in ${pathOrDir} (${result.skipped.join('; ') || 'empty'})`, pathOrDir);
  return result;
}

export type RevocationStatus =
  | 'good'
  | 'revoked'
  | 'crl-missing'
  | 'crl-not-yet-valid'
  | 'crl-expired'
  | 'crl-signature-invalid';

/** The outcome for one certificate of the path. */
export interface CertificateRevocation {
  /** Position in the path (0 = leaf). */
  index: number;
  certificate: DecodedCertificate;
  /** RFC 4514 name of the CA whose CRL this certificate needs (its issuer). */
  crlIssuer: string;
  /** Every problem, in OpenSSL's order: signature, time, then revoked. Empty when good. */
  problems: Array<Exclude<RevocationStatus, 'good'>>;
  /** The CRL chosen for it (null with crl-missing). */
  crl: DecodedCrl | null;
  /** The entry listing it, when revoked. */
  entry: RevokedEntry | null;
  /** False when the issuer certificate is not known, so the CRL's signature could not be checked. */
  signatureChecked: boolean;
}

export interface RevocationCheckOptions {
  /** The path, leaf first, up to the anchor when known (a self-signed anchor is its own CRL issuer). */
  path: readonly DecodedCertificate[];
  crls: readonly DecodedCrl[];
  time: Date;
}

/** One verdict per (CRL, issuer) pair: a capture repeats the same chain in every handshake. */
const crlSignatureCache = new Map<string, Promise<boolean>>();
const CRL_SIGNATURE_CACHE_LIMIT = 1024;

function crlSignatureVerifies(crl: DecodedCrl, issuer: DecodedCertificate): Promise<boolean> {
  const key = `${crl.source}:${crl.thisUpdate.getTime()}:${crl.der.length}:${issuer.summary.sha256}`;
  const known = crlSignatureCache.get(key);
  if (known) return known;
  const verdict = crl.crl.verify({ publicKey: issuer.certificate.publicKey }).catch(() => false);
  if (crlSignatureCache.size >= CRL_SIGNATURE_CACHE_LIMIT) crlSignatureCache.delete(crlSignatureCache.keys().next().value!);
  crlSignatureCache.set(key, verdict);
  return verdict;
}

/**
 * OpenSSL's choice among the CRLs naming a certificate's issuer (get_crl_sk): a time-valid one first, then
 * one whose authority key identifier matches the issuer's, then the newest thisUpdate. Delta CRLs are left
 * out (nginx does not set X509_V_FLAG_USE_DELTAS).
 */
function chooseCrl(cert: DecodedCertificate, issuer: DecodedCertificate | null, crls: readonly DecodedCrl[], time: Date): DecodedCrl | null {
  let best: DecodedCrl | null = null;
  let bestScore = -1;
  for (const crl of crls) {
    if (crl.delta || crl.issuerName.key === '' || crl.issuerName.key !== cert.issuerKey) continue;
    const timely = crl.thisUpdate.getTime() <= time.getTime() && (crl.nextUpdate === null || crl.nextUpdate.getTime() >= time.getTime());
    const akidAgrees = crl.authorityKeyIdentifier === null || issuer?.subjectKeyIdentifier == null || crl.authorityKeyIdentifier === issuer.subjectKeyIdentifier;
    const score = (timely ? 2 : 0) + (akidAgrees ? 1 : 0);
    if (score > bestScore || (score === bestScore && best !== null && crl.thisUpdate.getTime() > best.thisUpdate.getTime())) {
      best = crl;
      bestScore = score;
    }
  }
  return best;
}

/**
 * Checks every certificate of `path` against the CRLs as OpenSSL's CRL_CHECK_ALL does. The issuer of
 * path[i] is path[i+1]; the last certificate's issuer is itself when it is self-signed, otherwise unknown
 * (then the CRL is found by name and its signature cannot be checked).
 */
export async function checkRevocation(options: RevocationCheckOptions): Promise<CertificateRevocation[]> {
  const { path, crls, time } = options;
  const out: CertificateRevocation[] = [];
  for (let index = 0; index < path.length; index++) {
    const certificate = path[index]!;
    const last = index === path.length - 1;
    const issuer = !last ? path[index + 1]! : certificate.summary.selfSigned ? certificate : null;
    const result: CertificateRevocation = {
      index,
      certificate,
      crlIssuer: certificate.summary.issuer,
      problems: [],
      crl: null,
      entry: null,
      signatureChecked: false,
    };
    out.push(result);
    const crl = chooseCrl(certificate, issuer, crls, time);
    if (!crl) {
      result.problems.push('crl-missing');
      continue;
    }
    result.crl = crl;
    if (issuer) {
      result.signatureChecked = true;
      const keyIdMismatch = crl.authorityKeyIdentifier !== null && issuer.subjectKeyIdentifier !== null && crl.authorityKeyIdentifier !== issuer.subjectKeyIdentifier;
      if (keyIdMismatch || !(await crlSignatureVerifies(crl, issuer))) result.problems.push('crl-signature-invalid');
    }
    if (crl.thisUpdate.getTime() > time.getTime()) result.problems.push('crl-not-yet-valid');
    else if (crl.nextUpdate !== null && crl.nextUpdate.getTime() < time.getTime()) result.problems.push('crl-expired');
    const entry = crl.revoked.get(normalizeSerial(certificate.summary.serialNumber)) ?? null;
    // removeFromCRL only has a meaning in delta CRLs; OpenSSL treats certificateHold as revoked.
    if (entry && entry.reason !== 'removeFromCRL') {
      result.entry = entry;
      result.problems.push('revoked');
    }
  }
  return out;
}
