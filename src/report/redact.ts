import type { AnalysisSummary } from '../analyze.js';
import type {
  AnalysisResult,
  AnalysisWarning,
  CertificateSummary,
  ConnectionReport,
  Finding,
  TimelineEvent,
} from '../model/types.js';
import { CATALOG } from '../rules/catalog.js';
import { escapeRfc4514Value } from '../x509/names.js';
import { Pseudonyms, type TextMatch, type ValueKind } from './pseudonyms.js';

/**
 * A copy of the result that can go to a third party (docs/reports.md, "--redact"): addresses, host names, user
 * names, the subjects of leaf certificates, certificate serials and fingerprints and capture file names
 * replaced by pseudonyms, the same value by the same pseudonym everywhere. CA names stay: they are the
 * diagnosis. The input is not changed.
 */
export function redact(result: AnalysisResult): AnalysisResult {
  const redactor = new Redactor();
  const connections = result.connections.map((c) => redactor.connection(c));
  return { ...redactor.summary(result), connections };
}

/** What a Redactor did, for tests that count work instead of timing it. */
export interface RedactionStats {
  connections: number;
  /** Certificates redacted: once per distinct certificate (and role), however many connections carry it. */
  certificates: number;
}

/** Certificates remembered as redacted, by fingerprint; past this the oldest is redacted again when it returns. */
const CERTIFICATE_CACHE = 10_000;

/**
 * One redaction run: one pseudonym table for every connection and the run's facts, so connections can be
 * redacted one by one as they come (the CLI streams them) and still share pseudonyms. Call `connection` for
 * each connection, then `summary` for the files and warnings.
 */
export class Redactor {
  readonly names: Pseudonyms;
  readonly stats: RedactionStats = { connections: 0, certificates: 0 };
  private readonly certificates = new Map<string, CertificateSummary>();

  /** `maxValues`: distinct values the pseudonym table keeps (docs/limits.md); tests make it small. */
  constructor(maxValues?: number) {
    this.names = new Pseudonyms(maxValues);
  }

  connection(c: ConnectionReport): ConnectionReport {
    this.stats.connections++;
    const names = this.names;
    names.startConnection();
    // First every value that has a field of its own, so the text scanned below knows them all.
    const client = { ...c.client, ip: names.pseudonym('ip', c.client.ip) };
    const server = { ...c.server, ip: names.pseudonym('ip', c.server.ip) };
    const sni = c.sni === null ? null : this.host(c.sni);
    const file = this.file(c.file);
    for (const name of c.certificateRequest?.certificateAuthorities ?? []) names.keep(name);
    const clientCertificates = this.chain(c.clientCertificates, 'client');
    const serverCertificates = this.chain(c.serverCertificates, 'server');
    const findingFields = c.findings.map((f) => this.structuredEvidence(f));
    // Capture plaintext next (its addresses and host names join the table), then the prose that may quote it.
    const withUnknownScanned = this.unknownFields(c, KNOWN_CONNECTION_FIELDS);
    const upgradeRefused = c.upgradeRefused && {
      ...c.upgradeRefused,
      command: this.plaintext(c.upgradeRefused.command),
      reply: this.plaintext(c.upgradeRefused.reply),
    };
    const timeline = c.timeline.map((e) => this.event(e));
    const nonTls = c.nonTls && { ...c.nonTls, firstLine: c.nonTls.firstLine === null ? null : this.plaintext(c.nonTls.firstLine) };
    // After the chains: the subjects and serials checked are the chains' own, already in the table.
    const revocation = c.revocation.map((r) => ({
      ...r,
      subject: r.subject === null ? null : names.inText(r.subject),
      serialNumber: r.serialNumber === null ? null : this.serial(r.serialNumber),
      against: this.plaintext(r.against),
    }));
    return {
      // Fields this module does not know (added after it was written) scanned as capture plaintext.
      ...withUnknownScanned,
      file,
      client,
      server,
      sni,
      clientCertificates,
      serverCertificates,
      upgradeRefused,
      nonTls,
      revocation,
      // Our words about what is missing or could not be read, with capture values in them.
      outcomeDetail: c.outcomeDetail === null ? null : names.inText(c.outcomeDetail),
      timeline,
      captureProblems: c.captureProblems.map((p) => names.inText(p)),
      findings: c.findings.map((f, i) => this.finding(f, findingFields[i]!)),
    };
  }

  /**
   * A client certificate the user gave (--cert) rather than the capture: findings quote its subject, so its
   * values join the table before any connection is redacted.
   */
  givenClientCertificate(cert: CertificateSummary): void {
    this.chain([cert], 'client');
  }

  /** A CA certificate the user gave (--ca, --server-ca): findings quote its name, which stays as it is. */
  givenCaCertificate(cert: CertificateSummary): void {
    this.names.keep(cert.subject);
    this.names.keep(cert.issuer);
  }

  /** The run's facts: file names replaced, warnings and file errors scanned, fields this module does not know too. */
  summary<T extends AnalysisSummary>(facts: T): T {
    return {
      ...this.unknownFields(facts, KNOWN_SUMMARY_FIELDS),
      files: facts.files.map((f) => ({
        ...this.unknownFields(f, KNOWN_FILE_FIELDS),
        file: this.file(f.file),
        error: f.error === null ? null : this.plaintext(f.error),
      })),
      warnings: facts.warnings.map(
        (w): AnalysisWarning => ({ ...this.unknownFields(w, KNOWN_WARNING_FIELDS), file: this.file(w.file), message: this.plaintext(w.message) }),
      ),
    } as T;
  }

  /** `object` with the fields outside `known` scanned as capture plaintext (the known ones left to the caller). */
  private unknownFields<T extends object>(object: T, known: Set<string>): T {
    const out = { ...object } as Record<string, unknown>;
    for (const [key, value] of Object.entries(object)) if (!known.has(key)) out[key] = this.unknown(value);
    return out as T;
  }

  /**
   * A capture's name: a pseudonym that keeps only the format suffix (`capture-1.pcapng`). The directory goes,
   * and so does the base name, which is often a host or ticket name (`db01-prod-2024-05-02.pcap`).
   */
  private file(path: string): string {
    if (path === '-' || path === '') return path;
    const pseudonym = this.names.pseudonym('file', path);
    const base = path.split(/[\\/]/).pop()!;
    if (base !== path && base !== '') this.names.alias(base, pseudonym);
    return pseudonym;
  }

  private chain(certs: CertificateSummary[] | null, side: 'client' | 'server'): CertificateSummary[] | null {
    if (certs === null) return null;
    // Issuers are CA names: registered as kept first, so a leaf value inside them is not replaced there.
    const issuers = new Set(certs.map((c) => c.issuer));
    for (const issuer of issuers) this.names.keep(issuer);
    const issued = new Set(certs.filter((c) => c.issuer !== c.subject).map((c) => c.issuer));
    return certs.map((cert, i) => this.certificate(cert, isLeaf(cert, i, issued) ? side : null));
  }

  /** `leafOf`: the side whose end-entity certificate this is, or null for a CA certificate. */
  private certificate(cert: CertificateSummary, leafOf: 'client' | 'server' | null): CertificateSummary {
    const cacheKey = `${cert.sha256}|${cert.serialNumber}|${cert.subject}|${leafOf ?? 'ca'}`;
    const cached = this.certificates.get(cacheKey);
    if (cached !== undefined) {
      // Its whole subject may have left the text index (bounded) since: put it back, a Map lookup.
      if (leafOf !== null) this.names.alias(cert.subject, cached.subject);
      return cached;
    }
    this.stats.certificates++;
    const names = this.names;
    const subjectAltNames = cert.subjectAltNames.map((san) => this.subjectAltName(san));
    let subject = cert.subject;
    let issuer = cert.issuer;
    if (leafOf !== null) {
      subject = this.leafName(cert.subject, leafOf);
      // A self-signed leaf is its own issuer: its issuer names the host, not a CA.
      if (cert.issuer === cert.subject) issuer = subject;
    } else {
      names.keep(cert.subject);
    }
    const keyId = (id: string | null, replace: boolean): string | null =>
      id === null ? null : replace ? names.pseudonym('keyid', id) : (names.known(id) ?? id);
    const redacted: CertificateSummary = {
      ...cert,
      subject,
      issuer,
      serialNumber: this.serial(cert.serialNumber),
      subjectAltNames,
      subjectKeyIdentifier: keyId(cert.subjectKeyIdentifier, leafOf !== null),
      // A CA's key id stays with the CA's name; a self-signed leaf's points at its own key.
      authorityKeyIdentifier: keyId(cert.authorityKeyIdentifier, leafOf !== null && cert.issuer === cert.subject),
      aiaCaIssuers: cert.aiaCaIssuers.map((u) => this.url(u)),
      aiaOcsp: cert.aiaOcsp.map((u) => this.url(u)),
      crlDistributionPoints: cert.crlDistributionPoints.map((u) => this.url(u)),
      sha256: cert.sha256 === '' ? '' : names.pseudonym('fingerprint', cert.sha256),
      sha1: cert.sha1 === '' ? '' : names.pseudonym('fingerprint', cert.sha1),
    };
    // Past the table's limit a certificate's values are known only to the connection at hand: redact it anew.
    if (this.names.full) return redacted;
    if (this.certificates.size >= CERTIFICATE_CACHE) this.certificates.delete(this.certificates.keys().next().value!);
    this.certificates.set(cacheKey, redacted);
    return redacted;
  }

  private serial(value: string): string {
    if (value === '') return value;
    // OCSP and certificates may write the same serial with or without leading zeros, colons, in either case.
    const normal = value.toLowerCase().replace(/:/g, '').replace(/^0+(?=.)/, '');
    const pseudonym = this.names.pseudonym('serial', normal, 'serial');
    if (normal !== value.toLowerCase()) this.names.alias(value, pseudonym, 'serial');
    return pseudonym;
  }

  private subjectAltName(san: string): string {
    const colon = san.indexOf(':');
    const type = colon < 0 ? '' : san.slice(0, colon);
    const value = san.slice(colon + 1);
    switch (type) {
      case 'DNS':
        return `DNS:${this.host(value)}`;
      case 'IP':
        return `IP:${this.names.pseudonym('ip', value)}`;
      case 'email':
        return `email:${this.names.pseudonym('email', value)}`;
      case 'URI':
        return `URI:${this.names.pseudonym('uri', value)}`;
      case 'RID':
        return san;
      case 'DirName':
        return `DirName:${this.leafName(value, null)}`;
      default:
        return type === '' ? this.names.pseudonym('value', san) : `${type}:${this.names.pseudonym('value', value)}`;
    }
  }

  /**
   * A host name; a wildcard keeps its `*.` so a reader still sees that it is one. A one-label name that is a
   * word of our own findings (an SNI `server` or `api`) is replaced in fields but not in prose, where it would
   * replace that word everywhere; such a word names no one.
   */
  private host(name: string): string {
    if (name.startsWith('*.')) return `*.${this.names.pseudonym('host', name.slice(2))}`;
    return this.names.pseudonym('host', name, /^[a-z]+$/i.test(name) && catalogWords().has(name.toLowerCase()) ? 'never' : 'anywhere');
  }

  /** A URL with its host replaced (scheme, port and path kept). */
  private url(url: string): string {
    const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#@]*@)?(\[[^\]]*\]|[^/:?#]*)(.*)$/is.exec(url);
    if (m === null) return this.names.inText(url);
    const [, scheme, user, host, rest] = m;
    const replacedHost = /^\[.*\]$/.test(host!) || /^\d+(\.\d+){3}$/.test(host!) ? this.bracketedIp(host!) : this.host(host!);
    return `${scheme}${user ? `${this.names.pseudonym('user', user.slice(0, -1))}@` : ''}${replacedHost}${this.names.inText(rest!)}`;
  }

  private bracketedIp(host: string): string {
    return host.startsWith('[') ? `[${this.names.pseudonym('ip', host.slice(1, -1))}]` : this.names.pseudonym('ip', host);
  }

  /**
   * A leaf's distinguished name with every attribute value replaced and the attribute types kept
   * (`CN=client-1,OU=org-2`); the whole name is registered too, so free text that quotes it is replaced whole.
   * `side` null: a name inside a certificate field (a DirName SAN).
   */
  private leafName(dn: string, side: 'client' | 'server' | null): string {
    // Our own placeholders ("(undecodable certificate: …)", "<unparsable name: …>") carry no capture text.
    if (dn === '' || dn.startsWith('(undecodable certificate') || dn.startsWith('<unparsable name')) return dn;
    const known = this.names.known(dn);
    if (known !== undefined) return known;
    const parts = splitDistinguishedName(dn);
    if (parts === null) return this.names.pseudonym('value', dn);
    let out = '';
    for (const part of parts) {
      if (part.kind === 'separator') {
        out += part.text;
        continue;
      }
      const kind = attributeKind(part.type, part.value, side);
      const match: TextMatch = /^[A-Za-z]+$/.test(part.value) || /^\d{1,7}$/.test(part.value) ? 'never' : 'anywhere';
      const pseudonym = kind === 'host' ? this.host(part.value) : this.names.pseudonym(kind, part.value, match);
      out += `${part.type}=${escapeRfc4514Value(pseudonym)}`;
    }
    this.names.alias(dn, out);
    return out;
  }

  /** Evidence fields whose value has a meaning of its own (serials), replaced before any text is scanned. */
  private structuredEvidence(f: Finding): Finding['evidence']['fields'] {
    const fields: Finding['evidence']['fields'] = {};
    for (const [key, value] of Object.entries(f.evidence.fields)) {
      if (/serial/i.test(key) && typeof value === 'string') fields[key] = this.serial(value);
      else if (/serial/i.test(key) && Array.isArray(value)) fields[key] = value.map((v) => this.serial(v));
      else if (/sha256|sha1|fingerprint/i.test(key) && typeof value === 'string') fields[key] = this.names.pseudonym('fingerprint', value);
      else fields[key] = value;
    }
    return fields;
  }

  private finding(f: Finding, fields: Finding['evidence']['fields']): Finding {
    const names = this.names;
    const scanned: Finding['evidence']['fields'] = {};
    for (const [key, value] of Object.entries(fields)) {
      if (/http.*line|first_?line/i.test(key) && typeof value === 'string') scanned[key] = this.plaintext(value);
      else if (typeof value === 'string') scanned[key] = names.inText(httpRequestTargets(value));
      else if (Array.isArray(value)) scanned[key] = value.map((v) => names.inText(httpRequestTargets(v)));
      else scanned[key] = value;
    }
    return {
      ...this.unknownFields(f, KNOWN_FINDING_FIELDS),
      title: names.inText(httpRequestTargets(f.title)),
      explanation: names.inText(httpRequestTargets(f.explanation)),
      remedy: names.inText(httpRequestTargets(f.remedy)),
      evidence: { ...f.evidence, fields: scanned },
    };
  }

  /** A timeline summary: our words with capture values in them; a quoted plaintext line is capture text. */
  private event(e: TimelineEvent): TimelineEvent {
    const summary = e.summary.replace(/"([^"\n]*)"/g, (_, inner: string) => `"${this.plaintext(inner)}"`);
    return { ...e, summary: this.names.inText(summary) };
  }

  /**
   * Text that came from the capture as it is (an HTTP line, an SMTP reply, a plaintext first line): known
   * values replaced, and also addresses, host names and e-mail addresses the table has not seen, the target
   * of an HTTP request and the value of header and login lines (`Host: …`, `USER …`).
   */
  private plaintext(text: string): string {
    const names = this.names;
    let out = httpRequestTargets(text).replace(IDENTIFYING_LINE, (_, word: string) => `${word} [redacted]`);
    // One pass, so a pseudonym just written (user-1@example.invalid) is not taken for a new host name.
    out = out.replace(CAPTURE_VALUE, (m: string, email?: string, ipv4?: string, ipv6?: string, host?: string) => {
      if (email) return names.pseudonym('email', m);
      if (ipv4) return m.split('.').every((o) => Number(o) <= 255) ? names.pseudonym('ip', m) : m;
      if (ipv6) return m.includes('::') || m.split(':').length === 8 ? names.pseudonym('ip', m) : m;
      if (host) return names.pseudonym('host', m);
      return '[path]';
    });
    return names.inText(out);
  }

  /** A field this module does not know: strings scanned as capture plaintext, structure and other values kept. */
  private unknown(value: unknown): unknown {
    if (typeof value === 'string') return this.plaintext(value);
    if (Array.isArray(value)) return value.map((v) => this.unknown(v));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.unknown(v);
      return out;
    }
    return value;
  }
}

let words: Set<string> | null = null;

/** Every word of the finding catalog's titles, meanings, evidence and remedies, lower case. */
function catalogWords(): Set<string> {
  if (words === null) {
    words = new Set<string>();
    for (const entry of CATALOG) {
      for (const text of [entry.title, entry.meaning, entry.evidence, entry.remedy]) {
        for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) words.add(word);
      }
    }
  }
  return words;
}

/** ConnectionReport fields handled above by meaning (kept as they are or redacted field by field). */
const KNOWN_CONNECTION_FIELDS = new Set<string>([
  // Replaced or scanned.
  'file', 'client', 'server', 'sni', 'clientCertificates', 'serverCertificates', 'upgradeRefused', 'nonTls',
  'outcomeDetail', 'timeline', 'captureProblems', 'findings', 'revocation',
  // Kept: numbers, times, protocol names, enumerations, CA names, alerts, TLS client fingerprints.
  'index', 'firstFrame', 'lastFrame', 'startTime', 'endTime', 'upgradedFrom', 'version', 'offeredVersions',
  'cipherSuite', 'alpn', 'offeredAlpn', 'outcome', 'carriedProtocol', 'established', 'encryptedHandshake', 'decrypted', 'certificateRequest',
  'clientCertificateFrame', 'serverCertificateFrame', 'ocspStapled', 'alerts', 'closedBy', 'closeKind',
  'closeFrame', 'applicationBytes', 'history', 'ja4', 'ja4_r', 'ja4_o', 'ja4_ro', 'ja3', 'ja3s',
  // Random values and client/server software fingerprints, not hosts (docs/reports.md).
  'clientRandom', 'sessionId', 'resumed', 'ja3_r', 'ja3s_r', 'serverExtensions', 'clientLegacyVersion', 'decryptedWith',
  'serverChainStatus',
]);
const KNOWN_FINDING_FIELDS = new Set<string>(['id', 'severity', 'title', 'explanation', 'evidence', 'remedy', 'explainsAlertFrame']);
const KNOWN_SUMMARY_FIELDS = new Set<string>(['schemaVersion', 'files', 'warnings', 'connections']);
const KNOWN_FILE_FIELDS = new Set<string>(['file', 'format', 'compressed', 'frames', 'error']);
const KNOWN_WARNING_FIELDS = new Set<string>(['file', 'code', 'message', 'offset', 'frame']);

/**
 * The sender's own certificate (a leaf) is the first one — unless a misordered chain put a CA there, one that
 * issues another certificate sent with it — and any later one that is no CA and issues none of them.
 * `issued`: the subjects that issue a certificate of the list other than themselves.
 */
function isLeaf(cert: CertificateSummary, index: number, issued: Set<string>): boolean {
  const issuesAnother = issued.has(cert.subject);
  if (index === 0) return !(cert.basicConstraints?.ca === true && issuesAnother);
  return cert.basicConstraints?.ca !== true && !issuesAnother;
}

function attributeKind(type: string, value: string, side: 'client' | 'server' | null): ValueKind {
  switch (type.toUpperCase()) {
    case 'CN':
      if (/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+\.?$/i.test(value) && /[a-z]/i.test(value)) return 'host';
      return side ?? 'value';
    case 'O':
    case 'OU':
    case 'ORGANIZATIONIDENTIFIER':
      return 'org';
    case 'UID':
    case 'USERID':
      return 'user';
    case 'EMAILADDRESS':
    case 'E':
      return 'email';
    default:
      return 'value';
  }
}

type DnPart = { kind: 'separator'; text: string } | { kind: 'attribute'; type: string; value: string };

/** An RFC 4514 string cut into `type=value` parts and the `,`/`+` between them; null if it is not one. */
function splitDistinguishedName(dn: string): DnPart[] | null {
  const parts: DnPart[] = [];
  let i = 0;
  while (i < dn.length) {
    const eq = dn.indexOf('=', i);
    if (eq < 0) return null;
    const type = dn.slice(i, eq);
    if (!/^[A-Za-z][A-Za-z0-9-]*$|^\d+(\.\d+)+$/.test(type)) return null;
    let j = eq + 1;
    let value = '';
    while (j < dn.length && dn[j] !== ',' && dn[j] !== '+') {
      if (dn[j] === '\\' && j + 1 < dn.length) {
        const hex = /^[0-9A-Fa-f]{2}/.exec(dn.slice(j + 1, j + 3));
        value += hex ? String.fromCharCode(parseInt(hex[0], 16)) : dn[j + 1];
        j += hex ? 3 : 2;
      } else value += dn[j++];
    }
    parts.push({ kind: 'attribute', type, value });
    if (j < dn.length) parts.push({ kind: 'separator', text: dn[j]! });
    i = j + 1;
  }
  return parts;
}

/** `GET /users/dave?x HTTP/1.1` → `GET /[redacted] HTTP/1.1`: a request target can name users and hosts. */
function httpRequestTargets(text: string): string {
  return text.replace(HTTP_REQUEST, (_, method: string, target: string, version: string) =>
    `${method} ${target === '/' || target === '*' ? target : '/[redacted]'} ${version}`,
  );
}

const HTTP_REQUEST = /\b([A-Z][A-Z-]{2,15}) (\S+) (HTTP\/\d(?:\.\d)?)\b/g;
/** Lines whose value names a host or a person, or is a secret: HTTP headers, mail and login commands. */
const IDENTIFYING_LINE =
  /^((?:Host|Authorization|Proxy-Authorization|Cookie|Set-Cookie|From|Referer|Origin|X-Forwarded-For|Forwarded|User-Agent):|(?:USER|PASS|AUTH(?! (?:TLS|SSL|TLS-C|TLS-P)\s*$)|LOGIN|EHLO|HELO|MAIL FROM:|RCPT TO:)(?= ))[^\r\n]*/gim;
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/;
const IPV4 = /(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w.]*\w)/;
const IPV6 = /(?<![\w:.])(?:[0-9A-Fa-f]{1,4}:){1,7}:?(?:[0-9A-Fa-f]{1,4})?(?![\w:.])/;
/** Two labels or more ending in a letter-only top-level label: `db01.corp.example`, not `1.2` or `http/1.1`. */
const HOST_NAME = /(?<![\w.@/-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(?![\w@-]|\.\w)/;
/** A file system path of two segments or more (`/home/dave/keys.log`, `C:\\Users\\dave`): it names people. */
const PATH = /(?<![\w.:/\\])(?:\/[^\s'"/]+){2,}\/?|\b[A-Za-z]:\\[^\s'"]+/;
const CAPTURE_VALUE = new RegExp(`(${EMAIL.source})|(${IPV4.source})|(${IPV6.source})|(${HOST_NAME.source})|${PATH.source}`, 'g');
