import { Alert, AlertLevel } from '../../tls/registry/alerts.js';
import { findMessage } from '../../model/report.js';
import type { CatalogEntry, FindingDraft, Rule } from '../types.js';

/** The catalog entries of the findings this module's rules produce (docs/findings.md is rendered from them). */
export const protocolFindings = [
  {
    id: 'protocol-version-mismatch',
    about: 'negotiation',
    severity: 'error',
    title: 'Client and server have no TLS version in common',
    meaning: 'A side sent protocol_version (70): the versions the client offers and the versions the server accepts do not meet (for example a TLS 1.3-only client and a TLS 1.2-only server).',
    evidence: 'The ClientHello\'s offered versions; the negotiated version if any; the alert.',
    remedy: 'Enable a common version on both sides (nginx ssl_protocols, openssl -tls1_2/-tls1_3, Java jdk.tls.client.protocols, Node minVersion/maxVersion).',
  },
  {
    id: 'no-shared-cipher',
    about: 'negotiation',
    severity: 'error',
    title: 'The server rejected the ClientHello: no cipher suite in common',
    meaning: 'The server answered the ClientHello with handshake_failure and no ServerHello: none of the offered cipher suites (or, less often, signature algorithms or groups) is enabled on the server. OpenSSL logs "no shared cipher".',
    evidence: 'The ClientHello frame and how many suites it offered; the alert frame.',
    remedy: 'Enable at least one common cipher suite (nginx ssl_ciphers, openssl -cipher/-ciphersuites, Java jdk.tls.disabledAlgorithms); check the server certificate\'s key type matches the suites (ECDSA vs RSA).',
  },
  {
    id: 'deprecated-protocol-version',
    about: 'negotiation',
    severity: 'warning',
    title: 'A deprecated protocol version was negotiated',
    meaning: 'The connection uses SSL 3.0, TLS 1.0 or TLS 1.1 (RFC 8996). It works here, but current clients and servers (OpenSSL 3 at its default security level, Java, browsers) refuse these versions.',
    evidence: 'The ServerHello frame and the negotiated version.',
    remedy: 'Enable TLS 1.2 and 1.3 on both sides and disable the old versions.',
  },
] as const satisfies readonly CatalogEntry[];

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
    const versionAlert = facts.alerts.find((a) => a.level === AlertLevel.fatal && a.code === Alert.protocolVersion);
    if (versionAlert) {
      drafts.push({
        id: 'protocol-version-mismatch',
        explanation: `The ${versionAlert.side} sent protocol_version (70) in frame ${versionAlert.frame}: the client offered ${offered}${report.version ? ` and the server chose ${report.version}` : ''}, and the two sides have no version in common (check ssl_protocols / -tls1_x / jdk.tls.client.protocols / minVersion on both).`,
        evidence: { frames: [...(hello ? [hello.frame] : []), versionAlert.frame], fields: { offered_versions: report.offeredVersions, negotiated: report.version } },
        explainsAlertFrame: versionAlert.frame,
      });
    }
    const failure = facts.alerts.find((a) => a.level === AlertLevel.fatal && a.code === Alert.handshakeFailure && a.side === 'server');
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
