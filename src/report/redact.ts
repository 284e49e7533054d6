import type { AnalysisResult, CertificateSummary, ConnectionReport } from '../model/types.js';

/**
 * A copy of the result that can go to a third party: IP addresses, host names (SNI, DNS SANs, and wherever they
 * appear in text) and certificate serial numbers replaced by stable pseudonyms — the same value gets the same
 * pseudonym everywhere in one run (10.0.0.1, 2001:db8::1, host-1.example, serial-1). Kept: CA names (issuers,
 * the CertificateRequest's acceptable CA list, subjects of CA certificates), alert names, finding ids, frame
 * numbers, times, versions, cipher suites. docs/reports.md says the same for readers.
 */
export function redact(result: AnalysisResult): AnalysisResult {
  const copy = structuredClone(result);
  const names = new Pseudonyms();
  // First collect, in a fixed walk order, so pseudonym numbers depend only on the input.
  for (const c of copy.connections) {
    names.ip(c.client.ip);
    names.ip(c.server.ip);
    if (c.sni) names.host(c.sni);
    for (const cert of certs(c)) {
      names.serial(cert.serialNumber);
      for (const san of cert.subjectAltNames) {
        if (san.startsWith('DNS:')) names.host(san.slice(4));
        else if (san.startsWith('IP:')) names.ip(san.slice(3));
      }
    }
  }
  for (const c of copy.connections) {
    c.client.ip = names.ip(c.client.ip);
    c.server.ip = names.ip(c.server.ip);
    if (c.sni) c.sni = names.host(c.sni);
    for (const cert of certs(c)) redactCertificate(cert, names);
    for (const e of c.timeline) e.summary = names.inText(e.summary);
    if (c.upgradeRefused) c.upgradeRefused.reply = names.inText(c.upgradeRefused.reply);
    if (c.nonTls?.firstLine) c.nonTls.firstLine = names.inText(c.nonTls.firstLine);
    if (c.outcomeDetail) c.outcomeDetail = names.inText(c.outcomeDetail);
    c.captureProblems = c.captureProblems.map((p) => names.inText(p));
    for (const r of c.revocation) {
      if (r.serialNumber !== null) r.serialNumber = names.serial(r.serialNumber);
      if (r.subject !== null) r.subject = names.inText(r.subject);
      r.against = names.inText(r.against);
    }
    for (const f of c.findings) {
      f.title = names.inText(f.title);
      f.explanation = names.inText(f.explanation);
      f.remedy = names.inText(f.remedy);
      for (const [key, value] of Object.entries(f.evidence.fields)) {
        if (/ca_names|issuer|authorit/i.test(key)) continue;
        if (typeof value === 'string') f.evidence.fields[key] = /serial/i.test(key) ? names.serial(value) : names.inText(value);
        else if (Array.isArray(value)) f.evidence.fields[key] = value.map((v) => (/serial/i.test(key) ? names.serial(v) : names.inText(v)));
      }
    }
  }
  for (const w of copy.warnings) w.message = names.inText(w.message);
  return copy;
}

function certs(c: ConnectionReport): CertificateSummary[] {
  return [...(c.clientCertificates ?? []), ...(c.serverCertificates ?? [])];
}

function redactCertificate(cert: CertificateSummary, names: Pseudonyms): void {
  cert.serialNumber = names.serial(cert.serialNumber);
  cert.subjectAltNames = cert.subjectAltNames.map((san) =>
    san.startsWith('DNS:') ? `DNS:${names.host(san.slice(4))}` : san.startsWith('IP:') ? `IP:${names.ip(san.slice(3))}` : names.inText(san),
  );
  // A CA's subject is a CA name (it appears as an issuer and in CA lists): kept. An end entity's names the host.
  if (!cert.basicConstraints?.ca) cert.subject = names.inText(cert.subject);
}

class Pseudonyms {
  private readonly ips = new Map<string, string>();
  private readonly hosts = new Map<string, string>();
  private readonly serials = new Map<string, string>();
  private pattern: RegExp | null = null;

  ip(value: string): string {
    return this.get(this.ips, value, (n) => (value.includes(':') ? `2001:db8::${n.toString(16)}` : `10.0.${n >> 8}.${n & 255}`));
  }

  host(value: string): string {
    const key = value.toLowerCase();
    return this.get(this.hosts, key, (n) => `host-${n}.example`);
  }

  serial(value: string): string {
    return this.get(this.serials, value.toLowerCase(), (n) => `serial-${n}`);
  }

  /** Every known IP and host name inside free text, as whole tokens (not inside a longer name or number). */
  inText(text: string): string {
    if (this.pattern === null) {
      const known = [...this.ips.keys(), ...this.hosts.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.pattern = known.length > 0 ? new RegExp(`(?<![A-Za-z0-9.-])(?:${known.join('|')})(?![A-Za-z0-9-]|\\.[A-Za-z0-9])`, 'gi') : null;
      if (this.pattern === null) return text;
    }
    return text.replace(this.pattern, (m) => this.ips.get(m) ?? this.hosts.get(m.toLowerCase()) ?? m);
  }

  private get(map: Map<string, string>, key: string, make: (n: number) => string): string {
    let value = map.get(key);
    if (value === undefined) {
      value = make(map.size + 1);
      map.set(key, value);
      this.pattern = null;
    }
    return value;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
