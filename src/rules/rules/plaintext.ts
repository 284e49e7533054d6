import { alertName } from '../../model/describe.js';
import type { FindingDraft, Rule } from '../types.js';
import { uniqueFrames } from './shared.js';

/**
 * One side did not speak TLS (connection.nonTls): TLS sent to a plaintext port (the server answered the
 * ClientHello in its own protocol), or plaintext sent to a TLS port (the server answered with an alert, an HTTP
 * server's "plain HTTP to HTTPS port" page, or a silent close on a TLS port). Nothing else applies to such a
 * connection: runRules runs only this rule on it.
 */
export const plaintextRule: Rule = {
  produces: ['server-answered-plaintext', 'client-sent-plaintext'],
  run({ connection, report }) {
    const fact = connection.nonTls;
    if (fact === null) return [];
    const line = fact.firstLine === null ? 'bytes without a printable first line' : `"${fact.firstLine}"`;
    if (fact.side === 'server') {
      const hello = connection.events.find((e) => e.kind === 'handshake' && e.side === 'client' && e.message.type === 'ClientHello');
      const helloAt = hello ? ` (frame ${hello.frame})` : '';
      const what = fact.http
        ? 'an HTTP server read the ClientHello as a malformed request and answered in plain HTTP: this port serves http://, not https://'
        : 'the port speaks another protocol, not TLS';
      const draft: FindingDraft = {
        id: 'server-answered-plaintext',
        explanation: `The client sent a TLS ClientHello${helloAt} and the server answered with ${line} in frame ${fact.frame}, which is not a TLS record: ${what}. The client sees a record header it cannot read (OpenSSL and curl: "wrong version number").`,
        evidence: { frames: uniqueFrames([hello?.frame ?? fact.frame, fact.frame]), fields: { server_first_line: fact.firstLine, http: fact.http } },
      };
      if (!fact.http) {
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
        reaction = `The server closed the connection without sending a byte (frame ${report.closeFrame ?? fact.frame}) on port ${report.server.port}, a TLS port: OpenSSL-based servers fail with "http request" and send no alert.`;
        break;
    }
    const kind = fact.http ? 'a plain HTTP request' : 'bytes that are not TLS';
    return [
      {
        id: 'client-sent-plaintext',
        explanation: `The client sent ${kind}, ${line}, in frame ${fact.frame} to a server that speaks TLS. ${reaction} The client was configured for the wrong scheme (http:// for an https:// port) or without TLS.`,
        evidence: {
          frames: uniqueFrames([fact.frame, reply?.frame ?? report.closeFrame ?? fact.frame]),
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
