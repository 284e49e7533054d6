import { Alert } from '../../tls/registry/alerts.js';
import { findMessage } from '../../model/report.js';
import type { FindingDraft, Rule } from '../types.js';

const FATAL = 2;
/** SSL 3.0, TLS 1.0 and TLS 1.1 (RFC 7568, RFC 8996); SSL 2.0 never completes a handshake here. */
const DEPRECATED: ReadonlySet<number> = new Set([0x0300, 0x0301, 0x0302]);

/** Version and cipher-suite disagreements, and old negotiated versions. */
export const protocolRules: Rule = {
  produces: ['protocol-version-mismatch', 'no-shared-cipher', 'deprecated-protocol-version'],
  run({ connection, facts, report }) {
    const drafts: FindingDraft[] = [];
    const hello = findMessage(connection, 'client', 'ClientHello');
    const serverHello = connection.serverHello;
    const offered = report.offeredVersions.join(', ') || '(unknown)';
    const versionAlert = facts.alerts.find((a) => a.level === FATAL && a.code === Alert.protocolVersion);
    if (versionAlert) {
      drafts.push({
        id: 'protocol-version-mismatch',
        explanation: `The ${versionAlert.side} sent protocol_version (70) in frame ${versionAlert.frame}: the client offered ${offered}${report.version ? ` and the server chose ${report.version}` : ''}, and the two sides have no version in common (check ssl_protocols / -tls1_x / jdk.tls.client.protocols / minVersion on both).`,
        evidence: { frames: [...(hello ? [hello.frame] : []), versionAlert.frame], fields: { offered_versions: report.offeredVersions, negotiated: report.version } },
        explainsAlertFrame: versionAlert.frame,
      });
    }
    const failure = facts.alerts.find((a) => a.level === FATAL && a.code === Alert.handshakeFailure && a.side === 'server');
    if (failure && hello && !serverHello && failure.frame > hello.frame) {
      drafts.push({
        id: 'no-shared-cipher',
        explanation: `The server answered the ClientHello (frame ${hello.frame}) directly with handshake_failure (frame ${failure.frame}), without a ServerHello: none of the client's ${hello.message.cipherSuites.length} cipher suites (for ${offered}) is enabled on the server (or, less often, no signature algorithm or group in common). OpenSSL logs "no shared cipher".`,
        evidence: {
          frames: [hello.frame, failure.frame],
          fields: { offered_versions: report.offeredVersions, offered_cipher_suites: hello.message.cipherSuites.length },
        },
        explainsAlertFrame: failure.frame,
      });
    }
    if (facts.version !== null && DEPRECATED.has(facts.version) && report.version) {
      drafts.push({
        id: 'deprecated-protocol-version',
        explanation: `The connection negotiated ${report.version}, which ${facts.version === 0x0300 ? 'is broken (RFC 7568)' : 'RFC 8996 deprecates'}. OpenSSL 3 allows it only at security level 0, Java disables it in jdk.tls.disabledAlgorithms and browsers refuse it, so other clients will fail against this server.`,
        evidence: { frames: [findMessage(connection, 'server', 'ServerHello')?.frame ?? report.firstFrame], fields: { version: report.version, offered_versions: report.offeredVersions } },
      });
    }
    return drafts;
  },
};
