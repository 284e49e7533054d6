import type { ConnectionReport, Severity, Side } from '../../model/types.js';
import type { TlsConnection } from '../../tls/connection.js';
import type { CertificateRevocation, DecodedCrl } from '../../x509/crl.js';
import { crlChecks, type SideCrlCheck } from '../revocation-view.js';
import type { FindingDraft, Rule } from '../types.js';
import { httpFirstLineOf, serverReaction, uniqueFrames, describeDuration, type Aftermath } from './shared.js';

/** Where a side's CRLs are configured, for the remedies. */
const CLIENT_SIDE_SETTINGS =
  'nginx `ssl_crl`, read only at start and on `nginx -s reload`; Apache `SSLCARevocationFile`/`Path`; Java a CRL CertStore';
const SERVER_SIDE_SETTINGS = "the client's CRL store (openssl `-CRL`/`-crl_check_all`, curl `--crlfile`, Java's CertStore)";

/**
 * With the CRLs the user gave (--crl for the server's check of client certificates, --server-crl for the
 * client's check of the server's chain), each certificate of the chain is checked as OpenSSL's
 * CRL_CHECK | CRL_CHECK_ALL does: a CRL from every CA, signed by it, current at the packet's time, not
 * listing the serial.
 */
export const revocation: Rule = {
  produces: ['client-cert-revoked', 'server-cert-revoked', 'crl-missing', 'crl-not-yet-valid', 'crl-expired', 'crl-signature-invalid'],
  async run({ connection, report }, context) {
    const checks = await crlChecks(connection, report, context);
    return [...(checks.client ? clientSide(connection, report, checks.client) : []), ...(checks.server ? serverSide(report, checks.server) : [])];
  },
};

interface SideCheck {
  side: Side;
  flag: '--crl' | '--server-crl';
  frame: number;
  results: CertificateRevocation[];
  time: Date;
  reaction: Aftermath;
  /** The verifying peer went on as if nothing was wrong: the finding is at most a warning then. */
  acceptedAnyway: boolean;
  settings: string;
}

function clientSide(connection: TlsConnection, report: ConnectionReport, check: SideCrlCheck): FindingDraft[] {
  const reaction = serverReaction(connection, report, check.frame);
  const status = httpFirstLineOf(connection, 'server')?.firstLine?.match(/^HTTP\/\d(?:\.\d)? (\d{3})/)?.[1];
  const acceptedAnyway = report.established && reaction.alertFrame === undefined && status !== undefined && Number(status) < 400;
  return describe({ ...check, flag: '--crl', reaction, acceptedAnyway, settings: CLIENT_SIDE_SETTINGS });
}

function serverSide(report: ConnectionReport, check: SideCrlCheck): FindingDraft[] {
  const alert = report.alerts.find((a) => a.from === 'client' && a.level === 'fatal' && a.frame >= check.frame) ?? null;
  const reaction: Aftermath = alert
    ? { text: `The client then ended the handshake with ${alert.description ?? 'an encrypted alert'}${alert.code !== null ? ` (${alert.code})` : ''} in frame ${alert.frame}.`, frames: [alert.frame], alertFrame: alert.frame }
    : { text: report.established ? 'The client completed the handshake anyway.' : '', frames: [] };
  return describe({ ...check, flag: '--server-crl', reaction, acceptedAnyway: alert === null && report.established, settings: SERVER_SIDE_SETTINGS });
}

function crlFields(crl: DecodedCrl, time: Date): FindingDraft['evidence']['fields'] {
  return {
    crl_issuer: crl.issuerName.rfc4514,
    crl_file: crl.source,
    this_update: crl.thisUpdate.toISOString(),
    next_update: crl.nextUpdate ? crl.nextUpdate.toISOString() : null,
    crl_number: crl.crlNumber,
    packet_time: time.toISOString(),
  };
}

function describe(check: SideCheck): FindingDraft[] {
  const { side, flag, frame, results, time, reaction } = check;
  const drafts: FindingDraft[] = [];
  const whose = side === 'client' ? "client's" : "server's";
  const checker = side === 'client' ? 'server' : 'client';
  const severity: Severity | undefined = check.acceptedAnyway ? 'warning' : undefined;
  const wentOn = check.acceptedAnyway
    ? ` The ${checker} accepted the certificate all the same, so it does not check with these CRLs (or has not reloaded them): this is what will fail once it does.`
    : '';
  const frames = uniqueFrames([frame, ...reaction.frames]);
  const link = reaction.alertFrame !== undefined && !check.acceptedAnyway ? { explainsAlertFrame: reaction.alertFrame } : {};
  const base = (id: string, explanation: string, fields: FindingDraft['evidence']['fields'], remedy: string): FindingDraft => ({
    id,
    ...(severity ? { severity } : {}),
    explanation: `${explanation} ${reaction.text}${wentOn}`.replace(/\s+$/, ''),
    evidence: { frames, fields: { side, ...fields } },
    remedy,
    ...link,
  });

  for (const r of results) {
    if (!r.problems.includes('revoked') || !r.crl || !r.entry) continue;
    const subject = r.certificate.summary.subject;
    const what = r.index === 0 ? `The ${whose} certificate ${subject}` : `The CA certificate ${subject} in the ${whose} chain (position ${r.index})`;
    drafts.push(
      base(
        side === 'client' ? 'client-cert-revoked' : 'server-cert-revoked',
        `${what} (serial ${r.certificate.summary.serialNumber}, frame ${frame}) is listed as revoked in the CRL of ${r.crl.issuerName.rfc4514} (${r.crl.source}, thisUpdate ${r.crl.thisUpdate.toISOString()}): revoked on ${r.entry.revocationDate.toISOString()}${r.entry.reason ? `, reason ${r.entry.reason}` : ''}. OpenSSL reports it as "certificate revoked" (23).`,
        {
          ...crlFields(r.crl, time),
          subject,
          serial_number: r.certificate.summary.serialNumber,
          revocation_date: r.entry.revocationDate.toISOString(),
          revocation_reason: r.entry.reason,
          chain_position: r.index,
        },
        side === 'client'
          ? `Issue the client a new certificate (a revoked one cannot be un-revoked, except from certificateHold). If it was revoked by mistake, remove it from the CA's database, publish a new CRL and reload the server (${check.settings}).`
          : `The server must get a new certificate from its CA; a client that checks CRLs (${check.settings}) refuses this one.`,
      ),
    );
  }

  // One finding per CRL (or missing CRL) problem, naming every certificate of the chain it affects.
  const byProblem = new Map<string, CertificateRevocation[]>();
  for (const r of results) {
    for (const problem of r.problems) {
      if (problem === 'revoked') continue;
      const key = `${problem}\u0000${r.crlIssuer}`;
      byProblem.set(key, [...(byProblem.get(key) ?? []), r]);
    }
  }
  for (const [key, affected] of byProblem) {
    const problem = key.split('\u0000')[0]!;
    const first = affected[0]!;
    const issuer = first.crlIssuer;
    const certs = affected.map((r) => `${r.certificate.summary.subject} (position ${r.index}, serial ${r.certificate.summary.serialNumber})`);
    const certFields = { crl_needed_for: affected.map((r) => r.certificate.summary.subject), serial_numbers: affected.map((r) => r.certificate.summary.serialNumber) };
    const crl = first.crl;
    if (problem === 'crl-missing') {
      drafts.push(
        base(
          'crl-missing',
          `None of the CRLs given with ${flag} is issued by ${issuer}, the CA of ${certs.join(', ')} in the ${whose} chain (frame ${frame}). With CRL checking of the whole chain (OpenSSL CRL_CHECK_ALL, which nginx's ssl_crl turns on) every CA of the chain — the root included — needs a current CRL: OpenSSL fails with "unable to get certificate CRL" (3).`,
          { crl_issuer: issuer, packet_time: time.toISOString(), ...certFields },
          `Add a CRL issued by ${issuer} to the CRL file (${check.settings}): \`openssl ca -gencrl\` with that CA's configuration, appended as PEM to the same file. Every CA of the chain needs one, even a CA that never revoked anything.`,
        ),
      );
    } else if (crl && problem === 'crl-not-yet-valid') {
      const skew = describeDuration(crl.thisUpdate.getTime() - time.getTime());
      drafts.push(
        base(
          'crl-not-yet-valid',
          `The CRL of ${issuer} (${crl.source}) has thisUpdate ${crl.thisUpdate.toISOString()}, ${skew} after this packet's time ${time.toISOString()}: to the ${checker}'s clock it is not valid yet, so OpenSSL fails with "CRL is not yet valid" (11) for ${certs.join(', ')}. The CRL was made on a host whose clock runs ahead, or with a thisUpdate in the future.`,
          { ...crlFields(crl, time), skew_seconds: Math.round((crl.thisUpdate.getTime() - time.getTime()) / 1000), ...certFields },
          `Fix the clock of the host that signs the CRL (or of the ${checker}: NTP), re-issue the CRL with the current time as thisUpdate (\`openssl ca -gencrl\` without -crl_lastupdate) and reload the ${checker} (${check.settings}).`,
        ),
      );
    } else if (crl && problem === 'crl-expired') {
      const ago = describeDuration(time.getTime() - crl.nextUpdate!.getTime());
      drafts.push(
        base(
          'crl-expired',
          `The CRL of ${issuer} (${crl.source}) was due for renewal at nextUpdate ${crl.nextUpdate!.toISOString()}, ${ago} before this packet's time ${time.toISOString()}: OpenSSL fails with "CRL has expired" (12) for ${certs.join(', ')}, revoked or not. CRLs expire (often after days); nobody published and reloaded a new one.`,
          { ...crlFields(crl, time), expired_seconds: Math.round((time.getTime() - crl.nextUpdate!.getTime()) / 1000), ...certFields },
          `Publish a new CRL (\`openssl ca -gencrl -crldays N\`), put it in the CRL file and reload the ${checker} — nginx reads ssl_crl only at start and on reload (${check.settings}). Renew CRLs from a timer well before nextUpdate.`,
        ),
      );
    } else if (crl && problem === 'crl-signature-invalid') {
      const why = crl.authorityKeyIdentifier !== null ? ` The CRL's authority key identifier is ${crl.authorityKeyIdentifier}.` : '';
      drafts.push(
        base(
          'crl-signature-invalid',
          `The CRL that names ${issuer} as its issuer (${crl.source}) does not verify with that CA's public key: it was signed by another key (another CA of the same name, a re-keyed CA) or was altered. OpenSSL fails with "CRL signature failure" (8) for ${certs.join(', ')}.${why}`,
          { ...crlFields(crl, time), crl_authority_key_identifier: crl.authorityKeyIdentifier, ...certFields },
          `Generate the CRL with the key of the CA that issued the certificates (\`openssl ca -gencrl\` with that CA's certificate and key), replace it in the CRL file and reload the ${checker} (${check.settings}).`,
        ),
      );
    }
  }
  return drafts;
}
