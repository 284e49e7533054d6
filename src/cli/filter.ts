import { BlockList, isIP } from 'node:net';
import type { ConnectionFilter } from '../analyze.js';
import type { ConnectionReport, Severity } from '../model/types.js';
import { CATALOG } from '../rules/catalog.js';
import { OUTCOMES, type Outcome } from '../facts/types.js';

/** `--filter` keys; a bare value is a port when numeric, else a host. */
export const FILTER_KEYS = ['host', 'port', 'sni', 'finding', 'severity', 'outcome', 'since', 'until'] as const;
type FilterKey = (typeof FILTER_KEYS)[number];

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];
const FINDING_IDS = new Set<string>(CATALOG.map((entry) => entry.id));

type Test = (c: ConnectionReport) => boolean;

/**
 * `--filter` terms. Terms with the same key are alternatives (OR); different keys must all match (AND):
 * `--filter sni=a --filter sni=b --filter port=443` keeps connections to a or b on port 443.
 *
 * - `host=H`: client or server address, or SNI; H is an IPv4/IPv6 address, a CIDR range (`10.0.0.0/8`,
 *   `fd00::/8`) or a name as for `sni=`.
 * - `port=N`: either side's port.
 * - `sni=NAME`: exact (case-insensitive), or `*.example.com` for any subdomain.
 * - `finding=ID`: a finding of that id (docs/findings.md).
 * - `severity=error|warning|info`: a finding of that severity.
 * - `outcome=O`: the connection's outcome (established, rejected, failed, incomplete, not-tls, ...).
 * - `since=T`, `until=T`: ISO 8601 times (without a zone: local time); a connection is kept when it was open
 *   at some point at or after `since` and at or before `until`.
 *
 * Throws an Error naming the term when one is malformed.
 */
export function parseFilter(terms: string[]): ConnectionFilter {
  const byKey = new Map<FilterKey, Test[]>();
  for (const term of terms) {
    const [key, test] = parseTerm(term);
    byKey.set(key, [...(byKey.get(key) ?? []), test]);
  }
  const groups = [...byKey.values()];
  return (c) => groups.every((tests) => tests.some((test) => test(c as ConnectionReport)));
}

function parseTerm(term: string): [FilterKey, Test] {
  const eq = term.indexOf('=');
  const key = eq === -1 ? (/^\d+$/.test(term) ? 'port' : 'host') : term.slice(0, eq).toLowerCase();
  const value = eq === -1 ? term : term.slice(eq + 1);
  const fail = (expected: string): never => {
    throw new Error(`--filter ${term}: expected ${expected}`);
  };
  switch (key) {
    case 'port': {
      const port = Number(value);
      if (!/^\d+$/.test(value) || port > 65535) fail('a port number 0-65535');
      return [key, (c) => c.client.port === port || c.server.port === port];
    }
    case 'host': {
      if (value === '') fail('an address, a CIDR range or a name after host=');
      const range = addressRange(value);
      if (range === 'invalid') return fail('an address or a CIDR range such as 10.0.0.0/8 or fd00::/8');
      if (range === null) return [key, (c) => sniMatches(c.sni, value)];
      return [key, (c) => inRange(range, c.client.ip) || inRange(range, c.server.ip)];
    }
    case 'sni':
      if (value === '') fail('a name after sni=');
      return [key, (c) => sniMatches(c.sni, value)];
    case 'finding':
      if (!FINDING_IDS.has(value)) fail('a finding id of docs/findings.md');
      return [key, (c) => c.findings.some((f) => f.id === value)];
    case 'severity':
      if (!SEVERITIES.includes(value as Severity)) fail('error, warning or info');
      return [key, (c) => c.findings.some((f) => f.severity === value)];
    case 'outcome':
      if (!OUTCOMES.includes(value as Outcome)) fail(OUTCOMES.join(', '));
      return [key, (c) => c.outcome === value];
    case 'since':
    case 'until': {
      const time = Date.parse(value);
      if (!/^\d{4}-\d\d-\d\d/.test(value) || Number.isNaN(time)) fail('an ISO 8601 time such as 2026-01-31T14:05:00Z');
      return key === 'since' ? [key, (c) => Date.parse(c.endTime) >= time] : [key, (c) => Date.parse(c.startTime) <= time];
    }
    default:
      return fail(`one of ${FILTER_KEYS.map((k) => `${k}=`).join(', ')}`);
  }
}

/** A BlockList holding the address or CIDR range; null when the value is a name; 'invalid' for a bad range. */
function addressRange(value: string): BlockList | null | 'invalid' {
  const slash = value.indexOf('/');
  const address = slash === -1 ? value : value.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return slash === -1 ? null : 'invalid';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const list = new BlockList();
  if (slash === -1) {
    list.addAddress(address, type);
    return list;
  }
  const prefixText = value.slice(slash + 1);
  const prefix = Number(prefixText);
  if (!/^\d+$/.test(prefixText) || prefix > (family === 4 ? 32 : 128)) return 'invalid';
  list.addSubnet(address, prefix, type);
  return list;
}

function inRange(range: BlockList, ip: string): boolean {
  const family = isIP(ip);
  return family !== 0 && range.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

function sniMatches(sni: string | null, pattern: string): boolean {
  if (sni === null) return false;
  const name = sni.toLowerCase();
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) return name.endsWith(p.slice(1));
  return name === p;
}
