import type { CarriedProtocol } from '../../facts/types.js';

/**
 * How each kind of server refuses a client certificate once the TLS handshake is over, in its own words: the
 * advice must name nginx and HTTP 400 only for HTTP, PostgreSQL's FATAL for PostgreSQL, and so on.
 */
export type RefusalPage = 'No required SSL certificate was sent' | 'The SSL certificate error';

/** A server's refusal inside the encrypted stream, as that protocol's servers word it. */
export function refusalInsideStream(carried: CarriedProtocol, page: RefusalPage, frame: number): string {
  const encrypted = `inside the encrypted stream (frame ${frame}) — a key log would show it`;
  switch (carried.name) {
    case 'http':
      return `a server such as nginx then answers HTTP 400 ("${page}") ${encrypted}.`;
    case 'postgres':
      return `PostgreSQL then sends its error ("FATAL: connection requires a valid client certificate", or "certificate authentication failed") ${encrypted}.`;
    case 'mysql':
      return `MySQL/MariaDB then answer with an error packet (ERROR 1045 "Access denied" for an account with REQUIRE X509/SUBJECT/ISSUER) ${encrypted}.`;
    case 'ldap':
      return `slapd (TLSVerifyClient demand) then closes, and other LDAP servers answer with an error result ${encrypted}.`;
    case 'smtp':
    case 'imap':
    case 'pop3':
    case 'ftp':
    case 'xmpp':
      return `the ${carried.name.toUpperCase()} server then answers with an error reply (or closes) ${encrypted}.`;
    default:
      // Nothing tells what the connection carries (no ALPN, no key log, an unusual port): name the likeliest.
      return `the server then answered ${encrypted}. If this is HTTPS, a server such as nginx refuses there with HTTP 400 ("${page}"); other protocols send their own error.`;
  }
}

/** A server that closed without an alert: which servers do that, for this protocol. */
export function closeWithoutAlert(carried: CarriedProtocol): string {
  switch (carried.name) {
    case 'ldap':
      return "OpenLDAP's slapd (TLSVerifyClient demand) does this when it rejects a client certificate.";
    case 'http':
    case null:
      return "Node's https/tls server (requestCert with rejectUnauthorized) and OpenLDAP's slapd (TLSVerifyClient demand) do this when they reject a client certificate.";
    default:
      return 'Some servers (Node, slapd) reject a client certificate this way instead of sending an alert.';
  }
}

/** The decrypted HTTP status that nginx gives a refused client certificate, explained; '' for other statuses. */
export function nginxStatusWords(code: number, page: RefusalPage): string {
  return code === 400
    ? ` — nginx's "400 ${page}" page: nginx completes the handshake and rejects the certificate at the HTTP layer, with no TLS alert`
    : '';
}
