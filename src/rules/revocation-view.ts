import type { ConnectionFacts } from '../facts/types.js';
import { findMessage, isoTime } from '../model/report.js';
import type { RevocationCheck, Side } from '../model/types.js';
import { isOcspParseError, parseOcspResponse } from '../ocsp/index.js';
import type { TlsConnection } from '../tls/connection.js';
import { checkRevocation, normalizeSerial, type CertificateRevocation } from '../x509/crl.js';
import type { DecodedCertificate } from '../x509/types.js';
import { clientCertificateExchange } from './rules/client-context.js';
import { serverCertificateView } from './rules/server-context.js';
import { acceptedBy, decodeAll, findIssuer, pathThroughPresented } from './rules/shared.js';
import type { RuleContext } from './types.js';

/** The CRL check of one side's chain: what the revocation rule explains and the report's revocation view lists. */
export interface SideCrlCheck {
  side: Side;
  /** Frame and time of the Certificate message checked. */
  frame: number;
  time: Date;
  /** The same instant in capture seconds (for the report's microsecond times). */
  seconds: number;
  results: CertificateRevocation[];
}

export interface CrlChecks {
  client: SideCrlCheck | null;
  server: SideCrlCheck | null;
}

const checked = new WeakMap<TlsConnection, Promise<CrlChecks>>();

/** The path leaf upward through what the peer sent, then through the anchors until a self-signed one. */
function pathWithAnchors(chain: readonly DecodedCertificate[], anchors: readonly DecodedCertificate[]): { path: DecodedCertificate[]; anchored: boolean } {
  const path = pathThroughPresented(chain);
  let anchored = anchors.some((a) => path.some((p) => a.summary.sha256 === p.summary.sha256));
  while (!path.at(-1)!.summary.selfSigned) {
    const issuer = findIssuer(path.at(-1)!, anchors.filter((a) => !path.includes(a)));
    if (!issuer) break;
    path.push(issuer);
    anchored = true;
  }
  return { path, anchored };
}

/**
 * Each side's chain checked against the CRLs its verifier was given (--crl: the server's, for the client chain;
 * --server-crl: the client's, for the server chain), once per connection. A client chain from a CA the server
 * does not accept is not checked: it fails before revocation matters, and other findings tell it.
 */
export function crlChecks(connection: TlsConnection, facts: ConnectionFacts, context: RuleContext): Promise<CrlChecks> {
  const known = checked.get(connection);
  if (known) return known;
  const result = (async (): Promise<CrlChecks> => {
    let client: SideCrlCheck | null = null;
    let server: SideCrlCheck | null = null;
    const ex = context.clientCrls && context.clientCrls.length > 0 ? clientCertificateExchange(connection) : null;
    if (ex) {
      const anchors = decodeAll(context.clientAnchors);
      const { path, anchored } = pathWithAnchors(ex.chain, anchors);
      const accepted = anchors.length > 0 ? anchored : ex.caNames.length === 0 || path.some((c) => acceptedBy(c, ex.caNames) !== null);
      if (accepted) {
        const time = new Date(ex.certificate.time * 1000);
        client = { side: 'client', frame: ex.certificate.frame, time, seconds: ex.certificate.time, results: await checkRevocation({ path, crls: context.clientCrls!, time }) };
      }
    }
    const view = context.serverCrls && context.serverCrls.length > 0 ? serverCertificateView(connection, facts) : null;
    if (view) {
      const { path } = pathWithAnchors(view.chain, decodeAll(context.serverAnchors));
      const time = new Date(view.certificate.time * 1000);
      server = { side: 'server', frame: view.certificate.frame, time, seconds: view.certificate.time, results: await checkRevocation({ path, crls: context.serverCrls!, time }) };
    }
    return { client, server };
  })();
  checked.set(connection, result);
  return result;
}

/**
 * What was checked for revocation on this connection, against what, as of when: every certificate checked
 * against a CRL (--crl, --server-crl), and the server leaf against the OCSP response it stapled.
 */
export async function revocationView(connection: TlsConnection, facts: ConnectionFacts, context: RuleContext): Promise<RevocationCheck[]> {
  const out: RevocationCheck[] = [];
  const crl = await crlChecks(connection, facts, context);
  for (const side of [crl.client, crl.server]) {
    if (!side) continue;
    for (const r of side.results) {
      const problem = r.problems.find((p) => p !== 'revoked') ?? (r.problems.includes('revoked') ? 'revoked' : null);
      out.push({
        side: side.side,
        subject: r.certificate.summary.subject,
        serialNumber: r.certificate.summary.serialNumber,
        method: 'crl',
        against: r.crl ? `CRL of ${r.crl.issuerName.rfc4514} (${r.crl.source})` : `no CRL of ${r.crlIssuer}`,
        frame: side.frame,
        asOf: isoTime(side.seconds),
        thisUpdate: r.crl ? r.crl.thisUpdate.toISOString() : null,
        nextUpdate: r.crl?.nextUpdate ? r.crl.nextUpdate.toISOString() : null,
        status: r.problems.includes('revoked') ? 'revoked' : problem === null ? 'good' : problem,
        revocationTime: r.entry ? r.entry.revocationDate.toISOString() : null,
        revocationReason: r.entry?.reason ?? null,
      });
    }
  }
  const stapled = stapledOcsp(connection, facts);
  if (stapled) out.push(stapled);
  return out;
}

function stapledOcsp(connection: TlsConnection, facts: ConnectionFacts): RevocationCheck | null {
  const view = serverCertificateView(connection, facts);
  const status = findMessage(connection, 'server', 'CertificateStatus');
  const der = status?.message.ocspResponse ?? view?.certificate.message.certificates[0]?.ocspResponse ?? null;
  if (!der || der.length === 0 || (!status && !view)) return null;
  const frame = status?.frame ?? view!.certificate.frame;
  const seconds = status?.time ?? view!.certificate.time;
  const time = new Date(seconds * 1000);
  const parsed = parseOcspResponse(der);
  const base = {
    side: 'server' as const,
    subject: view?.leaf.summary.subject ?? null,
    serialNumber: view?.leaf.summary.serialNumber ?? null,
    method: 'ocsp-stapled' as const,
    frame,
    asOf: isoTime(seconds),
    revocationTime: null,
    revocationReason: null,
  };
  if (isOcspParseError(parsed) || !parsed.basic) {
    const what = isOcspParseError(parsed) ? 'an OCSP response that does not parse' : `an OCSP response with status ${parsed.responseStatus}`;
    return { ...base, against: `${what}, stapled in frame ${frame}`, thisUpdate: null, nextUpdate: null, status: 'unknown' };
  }
  const serial = view ? normalizeSerial(view.leaf.summary.serialNumber) : null;
  const single = parsed.basic.responses.find((r) => serial !== null && normalizeSerial(r.certId.serialNumber) === serial) ?? parsed.basic.responses[0];
  if (!single) return { ...base, against: `an OCSP response without answers, stapled in frame ${frame}`, thisUpdate: null, nextUpdate: null, status: 'unknown' };
  const responder = 'byName' in parsed.basic.responderId ? parsed.basic.responderId.byName : `key ${parsed.basic.responderId.byKey}`;
  const stale = single.nextUpdate !== null && new Date(single.nextUpdate) < time;
  return {
    ...base,
    against: `OCSP response of ${responder}, stapled in frame ${frame} (signature not checked)`,
    thisUpdate: single.thisUpdate,
    nextUpdate: single.nextUpdate,
    status: single.certStatus === 'good' && stale ? 'stale' : single.certStatus,
    revocationTime: single.revocationTime,
    revocationReason: single.revocationReason,
  };
}
