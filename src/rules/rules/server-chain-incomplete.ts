import { Alert } from '../../tls/registry/alerts.js';
import type { Rule } from '../types.js';
import { serverCertificateView } from './server-context.js';
import { alertLabel, decodeAll, findIssuer, pathThroughPresented, uniqueFrames } from './shared.js';

/**
 * The server's chain stops at a certificate whose issuer it did not send and that is not self-signed. A
 * leaf issued straight by a root is complete without the root, so without trust material the rule speaks
 * only when the client rejected the chain.
 */
export const serverChainIncomplete: Rule = {
  produces: ['server-chain-incomplete'],
  run({ connection, facts }, context) {
    const view = serverCertificateView(connection, facts);
    if (!view) return [];
    const path = pathThroughPresented(view.chain);
    const top = path.at(-1)!;
    // A CA certificate at the top means the missing issuer is a root, which servers need not send.
    if (top.summary.selfSigned || top.basicConstraints?.ca === true) return [];
    const anchors = decodeAll(context.serverAnchors);
    if (findIssuer(top, anchors)) return [];
    const rejected = view.rejection !== null && view.rejection.code !== Alert.certificateExpired;
    if (!rejected && anchors.length === 0) return [];
    const aia = top.summary.aiaCaIssuers;
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
