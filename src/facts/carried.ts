import type { TlsConnection } from '../tls/connection.js';
import type { CarriedProtocol } from './types.js';

type Name = NonNullable<CarriedProtocol['name']>;

/** ALPN protocol ids (IANA registry) that name what the connection carries. */
const BY_ALPN: Readonly<Record<string, Name>> = {
  'http/0.9': 'http',
  'http/1.0': 'http',
  'http/1.1': 'http',
  h2: 'http',
  h2c: 'http',
  h3: 'http',
  'spdy/3.1': 'http',
  postgresql: 'postgres',
  imap: 'imap',
  pop3: 'pop3',
  ftp: 'ftp',
  smtp: 'smtp',
  'xmpp-client': 'xmpp',
  'xmpp-server': 'xmpp',
  ldap: 'ldap',
};

/** Well-known server ports (IANA service names), the weakest hint: only when nothing else tells. */
const BY_PORT: ReadonlyMap<number, Name> = new Map<number, Name>([
  [443, 'http'],
  [8443, 'http'],
  [4443, 'http'],
  [9443, 'http'],
  [3389, 'rdp'],
  [3306, 'mysql'],
  [5432, 'postgres'],
  [25, 'smtp'],
  [465, 'smtp'],
  [587, 'smtp'],
  [143, 'imap'],
  [993, 'imap'],
  [110, 'pop3'],
  [995, 'pop3'],
  [21, 'ftp'],
  [990, 'ftp'],
  [389, 'ldap'],
  [636, 'ldap'],
  [5222, 'xmpp'],
  [5223, 'xmpp'],
  [5269, 'xmpp'],
]);

/** What the connection carries: the upgrade it came from, else ALPN, else decrypted HTTP, else the port. */
export function carriedProtocol(conn: TlsConnection, serverPort: number, alpn: string | null): CarriedProtocol {
  switch (conn.upgradedFrom) {
    case null:
    case 'unknown':
      break;
    case 'socks4':
    case 'socks5':
    case 'http-connect':
      // A tunnel through a proxy: what it carries is the ALPN's or the content's to say, not the proxy's port.
      return fromAlpnOrContent(conn, alpn) ?? { name: 'proxy', basis: 'upgrade' };
    default:
      return { name: conn.upgradedFrom, basis: 'upgrade' };
  }
  const known = fromAlpnOrContent(conn, alpn);
  if (known) return known;
  const byPort = BY_PORT.get(serverPort);
  return byPort ? { name: byPort, basis: 'port' } : { name: null, basis: null };
}

function fromAlpnOrContent(conn: TlsConnection, alpn: string | null): CarriedProtocol | null {
  const byAlpn = alpn === null ? undefined : BY_ALPN[alpn];
  if (byAlpn) return { name: byAlpn, basis: 'alpn' };
  if (conn.nonTls?.protocol) return { name: conn.nonTls.protocol, basis: 'content' };
  const http = conn.events.some((e) => e.kind === 'application-data' && e.firstLine !== null);
  return http ? { name: 'http', basis: 'content' } : null;
}
