import { clientCertEmpty } from './rules/client-cert-empty.js';
import { handshakeAlert } from './rules/handshake-alert.js';
import { handshakeFailedUnexplained } from './rules/handshake-failed-unexplained.js';
import type { Rule } from './types.js';

/** Every rule, most specific first: the order findings of one severity are reported in. */
export const RULES: readonly Rule[] = [clientCertEmpty, handshakeAlert];

/** Findings that narrate (an alert was sent) rather than explain a cause. */
export const NARRATION_IDS: ReadonlySet<string> = new Set(['handshake-alert']);

/** Applied when a failed handshake got no explaining finding from RULES: never silence. */
export const FALLBACK_RULE: Rule = handshakeFailedUnexplained;
