import { clientCertEmpty } from './rules/client-cert-empty.js';
import { clientCertIssuer } from './rules/client-cert-issuer.js';
import { clientCertRejectedAfterHandshake } from './rules/client-cert-rejected.js';
import { clientCertNotSent } from './rules/client-cert-not-sent.js';
import { clientCertType } from './rules/client-cert-type.js';
import { clientCertUsage } from './rules/client-cert-usage.js';
import { clientCertValidity } from './rules/client-cert-validity.js';
import { handshakeAlert } from './rules/handshake-alert.js';
import { handshakeFailedUnexplained } from './rules/handshake-failed-unexplained.js';
import { keylogMismatch } from './rules/keylog-mismatch.js';
import { privateKeyCannotDecrypt } from './rules/private-key-cannot-decrypt.js';
import { serverCertNameMismatch } from './rules/server-name.js';
import { starttlsRefused } from './rules/starttls-refused.js';
import { serverCertUntrusted } from './rules/server-cert-untrusted.js';
import { serverChainIncomplete } from './rules/server-chain-incomplete.js';
import { tls13EncryptedHandshake } from './rules/tls13-encrypted.js';
import { verifyDepthExceeded } from './rules/verify-depth.js';
import { captureQuality } from './rules/capture-quality.js';
import { ocspStapled } from './rules/ocsp-stapled.js';
import { revocation } from './rules/revocation.js';
import { plaintextRule } from './rules/plaintext.js';
import { protocolRules } from './rules/protocol.js';
import { serverCertEku, serverCertSelfSigned, serverCertValidity, serverChainShape } from './rules/server-cert-checks.js';
import { trustMaterial } from './rules/trust-material.js';
import { weakCipherSuite, weakCrypto } from './rules/weak-crypto.js';
import type { Rule } from './types.js';

/** Every rule, most specific first: the order findings of one severity are reported in. */
export const RULES: readonly Rule[] = [
  plaintextRule,
  starttlsRefused,
  captureQuality,
  protocolRules,
  // Before client-cert-empty: a key type the request refuses is why an OpenSSL client sent an empty Certificate.
  clientCertType,
  clientCertEmpty,
  clientCertNotSent,
  clientCertValidity,
  clientCertIssuer,
  clientCertUsage,
  verifyDepthExceeded,
  revocation,
  serverCertValidity,
  serverCertEku,
  serverChainIncomplete,
  serverCertNameMismatch,
  serverCertUntrusted,
  ocspStapled,
  trustMaterial,
  weakCrypto,
  weakCipherSuite,
  serverCertSelfSigned,
  serverChainShape,
  keylogMismatch,
  privateKeyCannotDecrypt,
  tls13EncryptedHandshake,
  handshakeAlert,
];

/**
 * Findings about a connection where one side did not speak TLS (connection.nonTls): only the rules producing them
 * run on it, and no fallback: there is no handshake for the others to judge.
 */
export const NON_TLS_IDS: ReadonlySet<string> = new Set(['server-answered-plaintext', 'client-sent-plaintext']);

/** Findings that narrate (an alert was sent) rather than explain a cause. */
export const NARRATION_IDS: ReadonlySet<string> = new Set(['handshake-alert']);

/** Findings that say the capture, not the peers, hides what happened: no "unexplained failure" then. */
export const CAPTURE_IDS: ReadonlySet<string> = new Set(['capture-truncated', 'capture-gap', 'capture-started-mid-handshake']);

/** Applied to a completed handshake whose client certificate the server refused at the HTTP layer, when no rule found why. */
export const POST_HANDSHAKE_FALLBACK_RULE: Rule = clientCertRejectedAfterHandshake;

/** Applied when a failed handshake got no explaining finding from RULES: never silence. */
export const FALLBACK_RULE: Rule = handshakeFailedUnexplained;
