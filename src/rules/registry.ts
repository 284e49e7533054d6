import { clientCertEmpty } from './rules/client-cert-empty.js';
import { clientCertIssuer } from './rules/client-cert-issuer.js';
import { clientCertNotSent } from './rules/client-cert-not-sent.js';
import { clientCertType } from './rules/client-cert-type.js';
import { clientCertUsage } from './rules/client-cert-usage.js';
import { clientCertValidity } from './rules/client-cert-validity.js';
import { handshakeAlert } from './rules/handshake-alert.js';
import { handshakeFailedUnexplained } from './rules/handshake-failed-unexplained.js';
import { keylogMismatch } from './rules/keylog-mismatch.js';
import { serverCertNameMismatch } from './rules/server-name.js';
import { serverCertUntrusted } from './rules/server-cert-untrusted.js';
import { serverChainIncomplete } from './rules/server-chain-incomplete.js';
import { tls13EncryptedHandshake } from './rules/tls13-encrypted.js';
import { verifyDepthExceeded } from './rules/verify-depth.js';
import type { Rule } from './types.js';

/** Every rule, most specific first: the order findings of one severity are reported in. */
export const RULES: readonly Rule[] = [
  clientCertEmpty,
  clientCertNotSent,
  clientCertValidity,
  clientCertIssuer,
  clientCertUsage,
  clientCertType,
  verifyDepthExceeded,
  serverChainIncomplete,
  serverCertNameMismatch,
  serverCertUntrusted,
  keylogMismatch,
  tls13EncryptedHandshake,
  handshakeAlert,
];

/** Findings that narrate (an alert was sent) rather than explain a cause. */
export const NARRATION_IDS: ReadonlySet<string> = new Set(['handshake-alert']);

/** Applied when a failed handshake got no explaining finding from RULES: never silence. */
export const FALLBACK_RULE: Rule = handshakeFailedUnexplained;
