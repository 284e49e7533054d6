import type { ConnectionFilter } from '../analyze.js';

/**
 * `--filter` terms: `host=H` (client or server IP, or SNI), `port=N` (either side), `sni=NAME` (exact, or
 * `*.example.com` for any subdomain), or a bare value taken as a port when numeric, else as a host.
 * A connection is kept when any term matches.
 */
export function parseFilter(terms: string[]): ConnectionFilter {
  const tests = terms.map(parseTerm);
  return (c) => tests.some((test) => test(c));
}

function parseTerm(term: string): ConnectionFilter {
  const eq = term.indexOf('=');
  const key = eq === -1 ? (/^\d+$/.test(term) ? 'port' : 'host') : term.slice(0, eq).toLowerCase();
  const value = eq === -1 ? term : term.slice(eq + 1);
  switch (key) {
    case 'port': {
      const port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--filter ${term}: expected a port number 0-65535`);
      return (c) => c.client.port === port || c.server.port === port;
    }
    case 'host':
      return (c) => c.client.ip === value || c.server.ip === value || sniMatches(c.sni, value);
    case 'sni':
      return (c) => sniMatches(c.sni, value);
    default:
      throw new Error(`--filter ${term}: expected host=, port= or sni=`);
  }
}

function sniMatches(sni: string | null, pattern: string): boolean {
  if (sni === null) return false;
  const name = sni.toLowerCase();
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) return name.endsWith(p.slice(1));
  return name === p;
}
