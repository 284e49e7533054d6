import { Alert } from '../../tls/registry/alerts.js';
import { serverChainJudgement } from '../server-trust.js';
import type { CatalogEntry, Rule } from '../types.js';
import { judgedByDefaultStore, storeName } from './server-context.js';
import { serverCertificateView } from './server-context.js';
import { alertLabel, decodeAll, findIssuer, pathThroughPresented, uniqueFrames } from './shared.js';

/** The catalog entries of the findings this module's rules produce (docs/findings.md is rendered from them). */
export const serverChainIncompleteFindings = [
  {
    id: 'server-chain-incomplete',
    about: 'server-certificate',
    severity: 'error',
    title: 'The server did not send the intermediate that issued its certificate',
    meaning: 'The server\'s leaf names an issuer that is not in the chain it sent and is not self-signed. Browsers may fetch the missing intermediate (AIA), but curl, openssl, Java, Node and most API clients fail with unknown_ca ("unable to get local issuer certificate"). An error when the client rejected the chain or --server-ca names what it trusts; judged against the default store (Node\'s Mozilla roots, as Zeek does) with a client that went on, a warning, reported for a leaf with an AIA caIssuers URL (a public CA).',
    evidence: 'The server Certificate frame and the subjects it held; the missing issuer name; the AIA caIssuers URL; the client\'s alert.',
    remedy: 'Serve the full chain: nginx ssl_certificate = leaf followed by the intermediate(s) (fullchain.pem); Apache SSLCertificateFile with the chain; Java keystore entry with the chain.',
  },
] as const satisfies readonly CatalogEntry[];

/**
 * The server's chain stops at a certificate whose issuer it did not send and that is not self-signed. A
 * leaf issued straight by a root is complete without the root, so without trust material the rule speaks
 * only when the client rejected the chain.
 */
export const serverChainIncomplete: Rule = {
  produces: ['server-chain-incomplete'],
  async run({ connection, facts }, context) {
    const view = serverCertificateView(connection, facts);
    if (!view) return [];
    const path = pathThroughPresented(view.chain);
    const top = path.at(-1)!;
    // A CA certificate at the top means the missing issuer is a root, which servers need not send.
    if (top.summary.selfSigned || top.basicConstraints?.ca === true) return [];
    const anchors = decodeAll(context.serverAnchors);
    if (findIssuer(top, anchors)) return [];
    const rejected = view.rejection !== null && view.rejection.code !== Alert.certificateExpired;
    const aia = top.summary.aiaCaIssuers;
    if (!rejected && anchors.length === 0) {
      // Judged against the default store (as browsers and Zeek do): a public leaf — one with an AIA URL to fetch
      // its issuer from — whose intermediate is missing. The client went on, so a warning.
      const judgement = await serverChainJudgement(connection, facts, context);
      if (!judgedByDefaultStore(context) || judgement?.status !== 'unable-to-get-issuer' || judgement.stoppedAt !== top || aia.length === 0) return [];
      return [
        {
          id: 'server-chain-incomplete',
          severity: 'warning',
          explanation: `The server sent ${path.map((c) => c.summary.subject).join(' → ')} in frame ${view.certificate.frame}, but not ${top.summary.issuer}, which issued ${top.summary.subject}; ${storeName(context)} has no such CA either, so the chain does not reach a trusted root ("unable to get local issuer certificate", as Zeek logs it). The certificate's AIA caIssuers URL gives the missing certificate: ${aia.join(', ')}. This client went on (a browser fetches the intermediate from that URL, or the client trusts the issuer itself); curl, openssl, Java and Node fail here with unknown_ca.`,
          evidence: {
            frames: [view.certificate.frame],
            fields: { server_chain: path.map((c) => c.summary.subject), missing_issuer: top.summary.issuer, aia_ca_issuers: aia, trust_store: storeName(context) },
          },
        },
      ];
    }
    const frames = uniqueFrames([view.certificate.frame, ...(view.rejection ? [view.rejection.frame] : [])]);
    const parts = [
      `The server sent ${path.map((c) => c.summary.subject).join(' → ')} in frame ${view.certificate.frame}, but not ${top.summary.issuer}, which issued ${top.summary.subject}.`,
      aia.length > 0 ? `The certificate's AIA caIssuers URL gives the missing certificate: ${aia.join(', ')}.` : 'The certificate has no AIA caIssuers URL, so clients cannot fetch the missing certificate either.',
    ];
    if (view.rejection) parts.push(`The client rejected the chain with ${alertLabel(view.rejection)} (frame ${view.rejection.frame}) because it cannot build a path to a root it trusts; browsers may hide this by fetching the intermediate, curl/openssl/Java/Node do not.`);
    else parts.push(`None of the --server-ca certificates issued it.`);
    return [
      {
        id: 'server-chain-incomplete',
        explanation: parts.join(' '),
        evidence: {
          frames,
          fields: { server_chain: path.map((c) => c.summary.subject), missing_issuer: top.summary.issuer, aia_ca_issuers: aia },
        },
        ...(view.rejection ? { explainsAlertFrame: view.rejection.frame } : {}),
        // Without trust material the client's alert is the only sign the missing issuer is not a root.
        inferredFromAlert: anchors.length === 0,
      },
    ];
  },
};
