import type { CatalogEntry } from './types.js';

/**
 * Every finding tlsdiag can report. The ids are public output: never rename one. docs/findings.md is
 * rendered from this list (`npm run docs:findings`) and a test fails when the two differ.
 */
export const CATALOG: readonly CatalogEntry[] = [
  {
    id: 'client-cert-empty',
    severity: 'error',
    title: 'The client answered the certificate request with an empty Certificate',
    meaning:
      'The server sent CertificateRequest and the client replied with a Certificate message holding zero certificates. Either no client key is configured, or (Java, .NET, browsers) the client has keys but none whose issuer is in the server\'s acceptable CA list, so it chose to send none.',
    evidence: 'CertificateRequest frame and its acceptable CA names; the Certificate frame with certificates_length 0; the alert or HTTP status that followed.',
    remedy:
      'Configure a client certificate issued by one of the CA names the server lists (Java: a keystore entry whose issuer is in that list; curl: --cert/--key), or add the client certificate\'s issuing CA to the server\'s client CA file (nginx ssl_client_certificate).',
  },
  {
    id: 'handshake-alert',
    severity: 'info',
    title: 'A fatal alert ended the handshake',
    meaning: 'One side sent a fatal alert. Who sent it and which alert it is tell which side rejected what.',
    evidence: 'The alert frame, its sender, level and description.',
    remedy: 'See the other findings on this connection for the cause the alert points to.',
  },
  {
    id: 'handshake-failed-unexplained',
    severity: 'error',
    title: 'The handshake failed and no rule explains why',
    meaning: 'The handshake did not complete and none of the specific rules matched. What is known is listed as evidence.',
    evidence: 'The last messages of each side, alerts, and how the connection closed.',
    remedy: 'Check the server and client logs for the connection at the time shown; a key log (for TLS 1.3) or --ca/--server-ca may let tlsdiag say more.',
  },
];

const BY_ID = new Map(CATALOG.map((entry) => [entry.id, entry]));

export function catalogEntry(id: string): CatalogEntry {
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
