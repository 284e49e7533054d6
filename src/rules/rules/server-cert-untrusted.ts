import { Alert } from '../../tls/registry/alerts.js';
import type { Rule } from '../types.js';
import { serverCertificateView } from './server-context.js';
import { alertLabel, pathThroughPresented, uniqueFrames } from './shared.js';
import { firstValidityProblem } from './validity.js';
import { nameCovered } from './server-name.js';
import { weakKey, weakSignature } from './weak-crypto.js';

/**
 * The client answered the server's chain with unknown_ca / bad_certificate / certificate_unknown and no
 * more precise cause (missing intermediate, validity, host name) applies: the client does not trust the
 * root the chain leads to.
 */
export const serverCertUntrusted: Rule = {
  produces: ['server-cert-untrusted'],
  run({ connection, facts, report }) {
    const view = serverCertificateView(connection, facts);
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
          fields: { server_chain: path.map((c) => c.summary.subject), chain_root: root, alert: rejection.code },
        },
        remedy: `Make the client trust ${root}: curl --cacert <root.pem>; openssl -CAfile; Java: import it into the truststore (keytool -importcert); Node: the ca option or NODE_EXTRA_CA_CERTS. If the server should present a publicly trusted certificate, fix the server's certificate instead.`,
        explainsAlertFrame: rejection.frame,
        inferredFromAlert: true,
      },
    ];
  },
};
