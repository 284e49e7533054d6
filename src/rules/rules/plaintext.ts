import { alertName } from '../../model/describe.js';
import type { CatalogEntry, FindingDraft, Rule } from '../types.js';
import { uniqueFrames } from './shared.js';

/** The catalog entries of the findings this module's rules produce (docs/findings.md is rendered from them). */
export const plaintextFindings = [
  {
    id: 'server-answered-plaintext',
    about: 'plaintext',
    severity: 'error',
    title: 'The server answered the ClientHello with bytes that are not TLS: TLS was sent to a plaintext port',
    meaning:
      'The client opened with a TLS ClientHello and the server\'s first bytes were not a TLS record but another protocol: most often an HTTP server reading the ClientHello as a broken request and answering "HTTP/1.1 400 Bad Request" (nginx on a `listen` without ssl, python http.server with an HTML error page). The client then fails with "wrong version number" (OpenSSL, curl exit 35). Also when the server spoke first in plaintext (a greeting: SMTP 220, SSH-2.0, a MySQL/MariaDB handshake packet) and the client answered with a ClientHello without asking for TLS: implicit TLS against a port that starts in plaintext. Only the first line of the server\'s bytes (for MySQL, the server version of its greeting) is kept; the rest is not parsed.',
    evidence: 'The ClientHello frame; the frame of the server\'s first bytes and their first line.',
    remedy:
      'Connect to the server\'s TLS port, or use http:// for this port; behind a proxy, make its upstream scheme match the backend (nginx proxy_pass http:// to a plaintext backend, https:// only to a TLS one; HAProxy: no `ssl` on a plaintext server line). For a server that greets first, use its upgrade (STARTTLS, the MySQL client\'s --ssl) or its implicit-TLS port.',
  },
  {
    id: 'client-sent-plaintext',
    about: 'plaintext',
    severity: 'error',
    title: 'The client sent bytes that are not TLS to a server that speaks TLS',
    meaning:
      'The client\'s first bytes were another protocol (usually an HTTP request line: http:// used for an https:// port) and the server showed it expected TLS: it answered with a TLS alert record, with an HTTP server\'s "plain HTTP request was sent to HTTPS port" page (nginx: "400 The plain HTTP request was sent to HTTPS port"), or it closed without a byte on a TLS port (OpenSSL servers such as s_server do this: no alert). Only the first line of each side is kept.',
    evidence: 'The frame and first line of the client\'s bytes; the server\'s answer (its first line, the alert, or the close) and its frame.',
    remedy:
      'Use https:// (or turn TLS on in the client: a database driver\'s sslmode, a mail client\'s SSL/TLS setting); behind a proxy, send TLS to this upstream (nginx proxy_pass https://, HAProxy `ssl` on the server line), or point plain HTTP at the server\'s plaintext port.',
  },
] as const satisfies readonly CatalogEntry[];

/**
 * One side did not speak TLS (connection.nonTls): TLS sent to a plaintext port (the server answered the
 * ClientHello in its own protocol), or plaintext sent to a TLS port (the server answered with an alert, an HTTP
 * server's "plain HTTP to HTTPS port" page, or a silent close on a TLS port). Nothing else applies to such a
 * connection: runRules runs only this rule on it.
 */
export const plaintextRule: Rule = {
  produces: ['server-answered-plaintext', 'client-sent-plaintext'],
  run({ connection, facts, report }) {
    const fact = connection.nonTls;
    if (fact === null) return [];
    const line = fact.firstLine === null ? 'bytes without a printable first line' : `"${fact.firstLine}"`;
    if (fact.side === 'server') {
      const hello = connection.events.find((e) => e.kind === 'handshake' && e.side === 'client' && e.message.type === 'ClientHello');
      const helloAt = hello ? ` (frame ${hello.frame})` : '';
      const shown = fact.protocol === 'mysql' ? `a MySQL/MariaDB server greeting (version ${fact.firstLine ?? 'not shown'})` : line;
      const explanation = fact.spokeFirst
        ? `The server spoke first, in plaintext: ${shown} in frame ${fact.frame}, and the client answered with a TLS ClientHello${helloAt} without asking for TLS: it expected TLS from the first byte (implicit TLS, e.g. SMTPS 465, IMAPS 993, POP3S 995, a TLS-wrapped database connection) on a port that starts in plaintext. The server reads the ClientHello as garbage in its own protocol.`
        : `The client sent a TLS ClientHello${helloAt} and the server answered with ${shown} in frame ${fact.frame}, which is not a TLS record: ${
            fact.protocol === 'http'
              ? 'an HTTP server read the ClientHello as a malformed request and answered in plain HTTP: this port serves http://, not https://'
              : 'the port speaks another protocol, not TLS'
          }. The client sees a record header it cannot read (OpenSSL and curl: "wrong version number").`;
      const draft: FindingDraft = {
        id: 'server-answered-plaintext',
        explanation,
        evidence: {
          frames: uniqueFrames([hello?.frame ?? fact.frame, fact.frame]),
          fields: { server_first_line: fact.firstLine, protocol: fact.protocol, server_spoke_first: fact.spokeFirst },
        },
      };
      if (fact.protocol === 'mysql') {
        draft.remedy =
          'Let the client ask for TLS inside the MySQL protocol (mysql/mariadb --ssl, a driver\'s sslMode / useSSL, openssl s_client -starttls mysql): MySQL and MariaDB have no implicit-TLS port; or put the TLS-terminating proxy the client expects in front of the server.';
      } else if (fact.spokeFirst) {
        draft.remedy =
          'Use the protocol\'s upgrade on this port (STARTTLS for SMTP 25/587, IMAP 143, POP3 110, FTP AUTH TLS) or connect to its implicit-TLS port (465, 993, 995, 990); set the client\'s security setting to match (STARTTLS vs SSL/TLS).';
      } else if (fact.protocol !== 'http') {
        draft.remedy = 'Connect to the server\'s TLS port, or speak the server\'s own protocol on this one; behind a proxy, make its upstream scheme match what the backend speaks.';
      }
      return [draft];
    }
    const reply = fact.reply;
    let reaction: string;
    switch (fact.serverShowedTls) {
      case 'tls-alert': {
        const name = alertName(reply?.alert ?? null);
        reaction = `The server answered with a TLS alert record${name !== null ? ` (${name}, ${reply!.alert})` : ''} in frame ${reply?.frame}: it expects a ClientHello.`;
        break;
      }
      case 'https-port-page':
        reaction = `The server answered in plain HTTP${reply?.firstLine ? ` "${reply.firstLine}"` : ''} (frame ${reply?.frame}) with the page an HTTP server sends when plain HTTP reaches its TLS port (nginx: "400 The plain HTTP request was sent to HTTPS port").`;
        break;
      default:
        reaction = `The server closed the connection without sending a byte (frame ${facts.close?.frame ?? fact.frame}) on port ${report.server.port}, a TLS port: OpenSSL-based servers fail with "http request" and send no alert.`;
        break;
    }
    const kind = fact.protocol === 'http' ? 'a plain HTTP request' : 'bytes that are not TLS';
    return [
      {
        id: 'client-sent-plaintext',
        explanation: `The client sent ${kind}, ${line}, in frame ${fact.frame} to a server that speaks TLS. ${reaction} The client was configured for the wrong scheme (http:// for an https:// port) or without TLS.`,
        evidence: {
          frames: uniqueFrames([fact.frame, reply?.frame ?? facts.close?.frame ?? fact.frame]),
          fields: {
            client_first_line: fact.firstLine,
            server_reaction: fact.serverShowedTls,
            server_first_line: reply?.firstLine ?? null,
            server_alert: reply?.alert ?? null,
          },
        },
      },
    ];
  },
};
