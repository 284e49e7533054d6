import { AlertLevel } from '../../tls/registry/alerts.js';
import type { Severity, Side } from '../../model/types.js';
import type { CertificateRevocation, DecodedCrl } from '../../x509/crl.js';
import { crlChecks, type SideCrlCheck } from '../revocation-view.js';
import type { ConnectionFacts } from '../../facts/types.js';
import type { FindingId } from '../catalog.js';
import type { CatalogEntry, FindingDraft, Rule, RuleInput } from '../types.js';
import { alertLabel, serverReaction, uniqueFrames, describeDuration, type Aftermath } from './shared.js';


/** The catalog entries of the findings this module's rules produce (docs/findings.md is rendered from them). */
export const revocationFindings = [
  {
    id: 'client-cert-revoked',
    about: 'client-certificate',
    severity: 'error',
    title: 'The client certificate is listed in a CRL the server checks',
    meaning:
      'Checked against the CRLs given with --crl (the server\'s nginx ssl_crl, Apache SSLCARevocationFile/Path, Java CRL store) at the time of the client Certificate packet, the serial of a certificate of the client chain is listed as revoked by its CA. OpenSSL fails with "certificate revoked" (23): nginx logs `client SSL certificate verify error: (23:certificate revoked)` and answers HTTP 400 "The SSL certificate error" after a completed TLS 1.2 handshake; openssl s_server, Apache, Java and Node send a fatal certificate_revoked (44) alert. When the server accepted the certificate anyway (it does not load this CRL, or was not reloaded since) the finding is a warning.',
    evidence: 'The client Certificate frame; the CRL issuer and file, thisUpdate/nextUpdate; the serial, revocation date and reason; the alert or HTTP status that followed.',
    remedy:
      'Issue the client a new certificate. If the revocation was a mistake, remove it from the CA database, publish a new CRL and reload the server: nginx reads ssl_crl only at start and on `nginx -s reload`.',
  },
  {
    id: 'server-cert-revoked',
    about: 'server-certificate',
    severity: 'error',
    title: 'The server certificate is listed in a CRL the client checks',
    meaning:
      'Checked against the CRLs given with --server-crl (what the client checks with: openssl -CRL with -crl_check_all, curl --crlfile, a Java CRL store) at the time of the server Certificate packet, a certificate of the server chain is listed as revoked. The client sends certificate_revoked (44); a warning when the client went on.',
    evidence: 'The server Certificate frame; the CRL issuer and file, thisUpdate/nextUpdate; the serial, revocation date and reason; the client\'s alert.',
    remedy: 'The server needs a newly issued certificate; reload it once installed.',
  },
  {
    id: 'crl-missing',
    about: 'client-certificate',
    severity: 'error',
    title: 'No CRL for a CA of the chain, and the verifier checks the whole chain',
    meaning:
      'With CRL checking of the whole chain (OpenSSL X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL, which nginx sets once ssl_crl is configured) every certificate of the chain, the trust anchor included, needs a CRL from its issuer. None of the CRLs given (--crl, --server-crl) is issued by the CA named: OpenSSL fails with "unable to get certificate CRL" (3) — typically a CRL file that holds the root\'s CRL but not the intermediate\'s. nginx answers HTTP 400 after the handshake; openssl s_server with -verify_return_error sends a fatal alert.',
    evidence: 'The Certificate frame; the CA whose CRL is missing and the certificates that needed it (subjects, serials); the alert or HTTP status that followed.',
    remedy:
      'Add a CRL from that CA (`openssl ca -gencrl` with its configuration) to the CRL file — nginx ssl_crl takes one PEM file with a CRL for every CA of the client chains — and reload the server (nginx reads ssl_crl only at start and on reload).',
  },
  {
    id: 'crl-not-yet-valid',
    about: 'client-certificate',
    severity: 'error',
    title: 'A CRL the verifier checks with is dated in its future',
    meaning:
      'The CRL the chain needs has a thisUpdate later than the packet\'s time: to the verifier\'s clock it is not valid yet, and OpenSSL fails with "CRL is not yet valid" (11). The CRL was signed on a host whose clock runs ahead of the server\'s, or with an explicit future thisUpdate. The finding names the skew.',
    evidence: 'The Certificate frame; the CRL issuer and file, thisUpdate, nextUpdate, the packet time and the skew in seconds.',
    remedy: 'Fix the clock of the CRL-signing host or of the server (NTP), re-issue the CRL with the current time as thisUpdate and reload the server (nginx: `nginx -s reload`).',
  },
  {
    id: 'crl-expired',
    about: 'client-certificate',
    severity: 'error',
    title: 'A CRL the verifier checks with is past its nextUpdate',
    meaning:
      'The CRL the chain needs has a nextUpdate earlier than the packet\'s time. OpenSSL then fails with "CRL has expired" (12) for every certificate that CRL covers, revoked or not: CRLs expire (often after a few days) and nobody published and loaded a new one. nginx keeps the CRL it read at start until it is reloaded, so a renewed file on disk does not help until `nginx -s reload`.',
    evidence: 'The Certificate frame; the CRL issuer and file, thisUpdate, nextUpdate, the packet time and how long ago it expired.',
    remedy: 'Publish a new CRL (`openssl ca -gencrl -crldays N`), replace it in the CRL file and reload the server; renew CRLs from a timer well before their nextUpdate.',
  },
  {
    id: 'crl-signature-invalid',
    about: 'client-certificate',
    severity: 'error',
    title: 'A CRL is not signed by the CA it names',
    meaning:
      'The CRL for a CA of the chain names that CA as its issuer, but its signature does not verify with the CA\'s key (or its authority key identifier names another key): it was signed by another CA of the same name, by a re-keyed CA, or altered. OpenSSL fails with "CRL signature failure" (8). The signature is checked only when the issuing CA\'s certificate is known: sent in the chain, or given with --ca / --server-ca.',
    evidence: 'The Certificate frame; the CRL issuer and file, its authority key identifier, thisUpdate/nextUpdate.',
    remedy: 'Generate the CRL with the key of the CA that issued the certificates, replace it in the CRL file and reload the server.',
  },
] as const satisfies readonly CatalogEntry[];

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
  async run(input, context) {
    const checks = await crlChecks(input.connection, input.facts, context);
    return [...(checks.client ? clientSide(input, checks.client) : []), ...(checks.server ? serverSide(input.facts, checks.server) : [])];
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

function clientSide(input: RuleInput, check: SideCrlCheck): FindingDraft[] {
  const { facts } = input;
  const reaction = serverReaction(input, check.frame);
  const status = facts.httpStatus?.code;
  const acceptedAnyway = facts.outcome === 'established' && reaction.alertFrame === undefined && status !== undefined && status < 400;
  return describe({ ...check, flag: '--crl', reaction, acceptedAnyway, settings: CLIENT_SIDE_SETTINGS });
}

function serverSide(facts: ConnectionFacts, check: SideCrlCheck): FindingDraft[] {
  const alert = facts.alerts.find((a) => a.side === 'client' && a.level === AlertLevel.fatal && a.frame >= check.frame) ?? null;
  const wentOn = facts.handshakeCompleted;
  const reaction: Aftermath = alert
    ? { text: `The client then ended the handshake with ${alertLabel(alert)}${alert.code !== null ? ` (${alert.code})` : ''} in frame ${alert.frame}.`, frames: [alert.frame], alertFrame: alert.frame }
    : { text: wentOn ? 'The client completed the handshake anyway.' : '', frames: [] };
  return describe({ ...check, flag: '--server-crl', reaction, acceptedAnyway: alert === null && wentOn, settings: SERVER_SIDE_SETTINGS });
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
  const base = (id: FindingId, explanation: string, fields: FindingDraft['evidence']['fields'], remedy: string): FindingDraft => ({
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
