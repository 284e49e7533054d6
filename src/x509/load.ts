/**
 * Trust material from disk: PEM bundles, single DER certificates, or a directory of them.
 * PEM blocks that are not certificates (private keys, CSRs, parameters) are skipped without their
 * content ever being printed — only their label may appear in a message.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FileTooLargeError, readBoundedFile } from '../bounded-file.js';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);

export class TrustMaterialError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'TrustMaterialError';
  }
}

export interface LoadedCertificates {
  certificates: Uint8Array[];
  /** Labels of PEM blocks that were skipped (e.g. 'PRIVATE KEY'), and files that held no certificate. */
  skipped: string[];
}

/** Certificates found in the PEM text, in file order; non-certificate blocks are only counted by label. */
export function certificatesFromPem(text: string, skipped: string[] = []): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    const label = match[1]!;
    if (!CERTIFICATE_LABELS.has(label)) {
      skipped.push(label);
      continue;
    }
    const body = match[2]!.replace(/\s+/g, '');
    // OpenSSL "TRUSTED CERTIFICATE" appends trust settings after the certificate; keep the certificate only.
    const der = new Uint8Array(Buffer.from(body, 'base64'));
    out.push(label === 'TRUSTED CERTIFICATE' ? firstElement(der) : der);
  }
  return out;
}

function firstElement(der: Uint8Array): Uint8Array {
  if (der.length < 2 || der[0] !== 0x30) return der;
  const first = der[1]!;
  let len = first;
  let p = 2;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n > 4 || p + n > der.length) return der;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[p++]!;
  }
  return p + len <= der.length ? der.subarray(0, p + len) : der;
}

function looksLikePem(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 64 * 1024)).includes('-----BEGIN ');
}

function loadFile(path: string, result: LoadedCertificates): void {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readBoundedFile(path));
  } catch (e) {
    if (e instanceof FileTooLargeError) throw new TrustMaterialError(`cannot read trust material ${path}: ${e.message}`, path);
    throw e;
  }
  if (looksLikePem(bytes)) {
    const found = certificatesFromPem(Buffer.from(bytes).toString('latin1'), result.skipped);
    if (found.length === 0) result.skipped.push(`${path}: no certificate`);
    result.certificates.push(...found);
  } else if (bytes.length > 0 && bytes[0] === 0x30) {
    result.certificates.push(bytes);
  } else {
    result.skipped.push(`${path}: neither PEM nor DER`);
  }
}

/** Like loadCertificates, also telling what was skipped. Throws TrustMaterialError when the path is unreadable. */
export function loadCertificatesDetailed(pathOrDir: string): LoadedCertificates {
  const result: LoadedCertificates = { certificates: [], skipped: [] };
  let stat;
  try {
    stat = statSync(pathOrDir);
  } catch (e) {
    throw new TrustMaterialError(`cannot read trust material ${pathOrDir}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, pathOrDir);
  }
  if (stat.isDirectory()) {
    for (const entry of readdirSync(pathOrDir).sort()) {
      const full = join(pathOrDir, entry);
      try {
        if (statSync(full).isFile()) loadFile(full, result);
      } catch {
        result.skipped.push(`${full}: unreadable`);
      }
    }
  } else {
    loadFile(pathOrDir, result);
  }
  return result;
}

/** DER certificates from a PEM bundle, a DER file, or a directory of them (files sorted by name). */
export function loadCertificates(pathOrDir: string): Uint8Array[] {
  return loadCertificatesDetailed(pathOrDir).certificates;
}
