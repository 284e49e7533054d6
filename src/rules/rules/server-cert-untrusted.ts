import type { ConnectionFacts } from '../../facts/types.js';
import type { TlsConnection } from '../../tls/connection.js';
import { Alert } from '../../tls/registry/alerts.js';
import { serverChainJudgement } from '../server-trust.js';
import type { CatalogEntry, FindingDraft, Rule, RuleContext } from '../types.js';
import { judgedByDefaultStore, serverCertificateView, storeName, type ServerCertificateView } from './server-context.js';
import { alertLabel, pathThroughPresented, uniqueFrames } from './shared.js';
import { firstValidityProblem } from './validity.js';
import { nameCovered } from './server-name.js';
import { weakKey, weakSignature } from './weak-crypto.js';

/** The catalog entries of the findings this module's rules produce (docs/findings.md is rendered from them). */
export const serverCertUntrustedFindings = [
  {
    id: 'server-cert-untrusted',
    about: 'server-certificate',
    severity: 'error',
    title: 'The client does not trust the CA of the server\'s chain',
    meaning: 'The client answered the server\'s (complete) chain with unknown_ca, bad_certificate or certificate_unknown, and no more precise cause (missing intermediate, validity, host name) applies: the root the chain leads to is not in the client\'s trust store. Without a rejection, judged against the default store (Node\'s Mozilla roots, or --server-ca system) a chain that reaches no known root is info: the client went on, so it trusts a private CA (most mutual-TLS backends do) that other clients do not (serverChainStatus in the JSON says how the chain fails).',
    evidence: 'The server Certificate frame and its chain; the root it leads to; the client\'s alert.',
    remedy: 'Make the client trust the root (curl --cacert, openssl -CAfile, Java truststore via keytool -importcert, Node ca / NODE_EXTRA_CA_CERTS), or give the server a certificate from a CA the clients trust.',
  },
] as const satisfies readonly CatalogEntry[];

/**
 * The client answered the server's chain with unknown_ca / bad_certificate / certificate_unknown and no
 * more precise cause (missing intermediate, validity, host name) applies: the client does not trust the
 * root the chain leads to.
 */
export const serverCertUntrusted: Rule = {
  produces: ['server-cert-untrusted'],
  async run({ connection, facts, report }, context) {
    const view = serverCertificateView(connection, facts);
    if (view && !view.rejection) return untrustedByDefaultStore(connection, facts, context, view);
    const rejection = view?.rejection;
    if (!view || !rejection || rejection.code === Alert.certificateExpired || rejection.code === Alert.unsupportedCertificate) return [];
    const path = pathThroughPresented(view.chain);
    const top = path.at(-1)!;
    if (!top.summary.selfSigned && path.length === 1 && !view.leaf.summary.selfSigned) {
      // A leaf alone whose issuer is missing: server-chain-incomplete tells it.
      return [];
    }
    if (view.leaf.summary.selfSigned) return []; // server-cert-self-signed tells it
    if (firstValidityProblem(view.chain, new Date(view.certificate.time * 1000))) return [];
    // A weak key or signature is the likelier reason for bad_certificate; weak-crypto explains it.
    if (rejection.code === Alert.badCertificate && view.chain.some((c) => weakKey(c) !== null || weakSignature(c) !== null)) return [];
    if (rejection.code === Alert.badCertificate && report.sni && !nameCovered(view.leaf, report.sni)) return [];
    const root = top.summary.selfSigned ? top.summary.subject : top.summary.issuer;
    return [
      {
        id: 'server-cert-untrusted',
        explanation: `The client rejected the server's chain (${path.map((c) => c.summary.subject).join(' → ')}, frame ${view.certificate.frame}) with ${alertLabel(rejection)} (frame ${rejection.frame}): it does not trust ${root}, the CA the chain leads to. curl without the right --cacert, a Java truststore or Node without NODE_EXTRA_CA_CERTS / ca: all answer this way.`,
        evidence: {
          frames: uniqueFrames([view.certificate.frame, rejection.frame]),
          fields: { server_chain: path.map((c) => c.summary.subject), chain_root: root, alert: alertLabel(rejection) },
        },
        remedy: `Make the client trust ${root}: curl --cacert <root.pem>; openssl -CAfile; Java: import it into the truststore (keytool -importcert); Node: the ca option or NODE_EXTRA_CA_CERTS. If the server should present a publicly trusted certificate, fix the server's certificate instead.`,
        explainsAlertFrame: rejection.frame,
        inferredFromAlert: true,
      },
    ];
  },
};

/**
 * The client went on, but judged against the default store (as browsers and Zeek do) the chain reaches no
 * known root: a private CA the client trusts, most likely. Context (info), not a risk: mutual-TLS backends run
 * on private CAs, and a warning on each of their healthy connections would make `--fail-on warning` useless.
 * A public leaf missing its intermediate is server-chain-incomplete instead (a warning: clients do fail).
 */
async function untrustedByDefaultStore(
  connection: TlsConnection,
  facts: ConnectionFacts,
  context: RuleContext,
  view: ServerCertificateView,
): Promise<FindingDraft[]> {
  if (!facts.handshakeCompleted || !judgedByDefaultStore(context)) return [];
  const judgement = await serverChainJudgement(connection, facts, context);
  if (!judgement || !['untrusted', 'self-signed', 'unable-to-get-issuer'].includes(judgement.status)) return [];
  if (judgement.status === 'unable-to-get-issuer' && judgement.stoppedAt!.summary.aiaCaIssuers.length > 0) return [];
  const top = judgement.path.at(-1)!;
  const root = top.summary.selfSigned ? top.summary.subject : top.summary.issuer;
  const what =
    judgement.status === 'self-signed'
      ? `the certificate ${top.summary.subject} is self-signed`
      : judgement.status === 'untrusted' && top.summary.selfSigned
        ? `the chain ends at the root ${root}, which is not in it`
        : `the chain leads to ${root}, which is neither sent nor in it`;
  return [
    {
      id: 'server-cert-untrusted',
      severity: 'info',
      explanation: `Judged against ${storeName(context)} at the packet's time, the server's chain (${judgement.path.map((c) => c.summary.subject).join(' → ')}, frame ${view.certificate.frame}) reaches no trusted root: ${what}. This client completed the handshake, so it trusts that CA (a private CA, curl --cacert, a Java truststore); clients with only the public roots answer unknown_ca.`,
      evidence: {
        frames: [view.certificate.frame],
        fields: { server_chain: judgement.path.map((c) => c.summary.subject), chain_root: root, server_chain_status: judgement.status, trust_store: storeName(context) },
      },
      remedy: `Nothing to fix when only clients that trust ${root} connect (pass that CA with --server-ca to judge against it, or --server-ca none). For other clients, give the server a certificate from a public CA, or distribute ${root} to them.`,
    },
  ];
}
