import type { CatalogEntry } from './types.js';
import { clientCertEmptyFindings } from './rules/client-cert-empty.js';
import { plaintextFindings } from './rules/plaintext.js';
import { starttlsRefusedFindings } from './rules/starttls-refused.js';
import { clientCertNotSentFindings } from './rules/client-cert-not-sent.js';
import { clientCertRejectedFindings } from './rules/client-cert-rejected.js';
import { clientCertIssuerFindings } from './rules/client-cert-issuer.js';
import { clientCertUsageFindings } from './rules/client-cert-usage.js';
import { clientCertValidityFindings } from './rules/client-cert-validity.js';
import { clientCertTypeFindings } from './rules/client-cert-type.js';
import { verifyDepthFindings } from './rules/verify-depth.js';
import { serverChainIncompleteFindings } from './rules/server-chain-incomplete.js';
import { serverCertUntrustedFindings } from './rules/server-cert-untrusted.js';
import { serverNameFindings } from './rules/server-name.js';
import { serverCertChecksFindings } from './rules/server-cert-checks.js';
import { ocspStapledFindings } from './rules/ocsp-stapled.js';
import { revocationFindings } from './rules/revocation.js';
import { protocolFindings } from './rules/protocol.js';
import { weakCryptoFindings } from './rules/weak-crypto.js';
import { captureQualityFindings } from './rules/capture-quality.js';
import { trustMaterialFindings } from './rules/trust-material.js';
import { tls13EncryptedFindings } from './rules/tls13-encrypted.js';
import { keylogMismatchFindings } from './rules/keylog-mismatch.js';
import { privateKeyCannotDecryptFindings } from './rules/private-key-cannot-decrypt.js';
import { handshakeAlertFindings } from './rules/handshake-alert.js';
import { handshakeFailedUnexplainedFindings } from './rules/handshake-failed-unexplained.js';

/**
 * Every finding tlsdiag can report: each rule module holds the entries of the findings it produces, beside the
 * rule. The ids are public output: never rename one. docs/findings.md is rendered from this list (`npm run
 * docs:findings`) and a test fails when the two differ.
 */
export const CATALOG = [
  ...plaintextFindings,
  ...clientCertEmptyFindings,
  ...starttlsRefusedFindings,
  ...clientCertNotSentFindings,
  ...clientCertRejectedFindings,
  ...clientCertIssuerFindings,
  ...clientCertUsageFindings,
  ...clientCertValidityFindings,
  ...clientCertTypeFindings,
  ...verifyDepthFindings,
  ...serverChainIncompleteFindings,
  ...serverCertUntrustedFindings,
  ...serverNameFindings,
  ...serverCertChecksFindings,
  ...ocspStapledFindings,
  ...revocationFindings,
  ...protocolFindings,
  ...weakCryptoFindings,
  ...captureQualityFindings,
  ...trustMaterialFindings,
  ...tls13EncryptedFindings,
  ...keylogMismatchFindings,
  ...privateKeyCannotDecryptFindings,
  ...handshakeAlertFindings,
  ...handshakeFailedUnexplainedFindings,
] as const satisfies readonly CatalogEntry[];

/** Every finding id: a closed set, derived from the catalog. */
export type FindingId = (typeof CATALOG)[number]['id'];

const BY_ID: ReadonlyMap<string, CatalogEntry> = new Map(CATALOG.map((entry) => [entry.id, entry]));

export function catalogEntry(id: FindingId): CatalogEntry {
  const entry = BY_ID.get(id);
  if (!entry) throw new Error(`finding id '${id}' is not in the catalog (src/rules/catalog.ts)`);
  return entry;
}

/** docs/findings.md, rendered from the catalog. */
export function renderCatalogMarkdown(): string {
  const lines = [
    '# Findings',
    '',
    'Every finding tlsdiag reports, by id. The ids are stable: tests and scripts may rely on them.',
    'Severity: `error` explains a failure, `warning` will fail elsewhere or soon, `info` is context.',
    'This file is generated from `src/rules/catalog.ts` by `npm run docs:findings`; a test fails when they differ.',
    '',
    '| id | severity | title |',
    '|---|---|---|',
    ...CATALOG.map((e) => `| [\`${e.id}\`](#${e.id}) | ${e.severity} | ${e.title} |`),
    '',
  ];
  for (const e of CATALOG) {
    lines.push(`## ${e.id}`, '', `**${e.severity}** — ${e.title}`, '', e.meaning, '', `Evidence: ${e.evidence}`, '', `Remedy: ${e.remedy}`, '');
  }
  return lines.join('\n');
}
