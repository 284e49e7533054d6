import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectionReport, Side } from '../model/types.js';
import { decodeCertificate } from '../x509/index.js';

/** One certificate of a connection as it was on the wire (analyze's onCertificates). */
export interface WireCertificate {
  side: Side;
  /** 0 for the leaf, then as the peer sent the chain. */
  position: number;
  der: Uint8Array;
}

/** Where a certificate was seen, in index.json. */
export interface CertificateSighting {
  capture: string;
  /** The connection's `index` in the report. */
  connection: number;
  side: Side;
  position: number;
}

interface ExportedCertificate {
  file: string;
  sha256: string;
  sha1: string;
  subject: string;
  seen: CertificateSighting[];
  /** Sightings past MAX_SIGHTINGS, counted only. */
  moreSightings: number;
}

/** Sightings listed per certificate; a server's leaf in 200 000 connections is counted past this. */
export const MAX_SIGHTINGS = 1000;
/** Distinct certificates written; past this they are counted in index.json. */
export const MAX_EXPORTED_CERTIFICATES = 100_000;
const SHA256_PREFIX = 16;

/**
 * --export-certs: every distinct certificate of the run (both sides, every chain, renegotiations too) as
 * `<sha256-prefix>-<CN>.pem` in one folder, written when first seen, and index.json listing where each was
 * seen. The names are safe file names: the CN is reduced to letters, digits, '.', '_' and '-'.
 */
export class CertificateExport {
  private readonly certificates = new Map<string, ExportedCertificate>();
  private skipped = 0;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  add(report: Pick<ConnectionReport, 'index' | 'file'>, certificates: readonly WireCertificate[]): void {
    for (const { side, position, der } of certificates) {
      const sha256 = createHash('sha256').update(der).digest('hex');
      let entry = this.certificates.get(sha256);
      if (entry === undefined) {
        if (this.certificates.size >= MAX_EXPORTED_CERTIFICATES) {
          this.skipped++;
          continue;
        }
        const subject = subjectOf(der);
        const file = `${sha256.slice(0, SHA256_PREFIX)}-${safeName(commonName(subject))}.pem`;
        writeFileSync(join(this.dir, file), pem(der));
        entry = { file, sha256, sha1: createHash('sha1').update(der).digest('hex'), subject, seen: [], moreSightings: 0 };
        this.certificates.set(sha256, entry);
      }
      const sighting: CertificateSighting = { capture: report.file, connection: report.index, side, position };
      if (entry.seen.some((s) => s.capture === sighting.capture && s.connection === sighting.connection && s.side === side && s.position === position)) continue;
      if (entry.seen.length < MAX_SIGHTINGS) entry.seen.push(sighting);
      else entry.moreSightings++;
    }
  }

  /** Writes index.json; returns how many certificates the folder holds. */
  finish(): number {
    const index = {
      certificates: [...this.certificates.values()],
      ...(this.skipped > 0 ? { notExported: this.skipped } : {}),
    };
    writeFileSync(join(this.dir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
    return this.certificates.size;
  }
}

function subjectOf(der: Uint8Array): string {
  const decoded = decodeCertificate(der);
  return decoded.kind === 'certificate' ? decoded.summary.subject : '';
}

function commonName(subject: string): string {
  const match = /(?:^|,)CN=((?:\\.|[^,])*)/.exec(subject);
  return match ? match[1]!.replace(/\\(.)/g, '$1') : '';
}

/** A CN as part of a file name: no path separators, no dots at the start, nothing a shell or Windows minds. */
export function safeName(name: string): string {
  const safe = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .replace(/_+$/, '')
    .slice(0, 64);
  return safe === '' ? 'no-cn' : safe;
}

function pem(der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${base64.replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
}
