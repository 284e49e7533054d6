import type { ConnectionFacts } from '../facts/types.js';
import type { TlsConnection } from '../tls/connection.js';
import { judgeChain, type ChainJudgement } from '../x509/trust-store.js';
import { serverCertificateView } from './rules/server-context.js';
import type { RuleContext } from './types.js';

/** One judgement per connection: analyze() sets serverChainStatus from it, the rules explain it. */
const judged = new WeakMap<TlsConnection, Promise<ChainJudgement | null>>();

/**
 * The server's chain judged against the client's trust store as the context has it (Node's Mozilla roots by
 * default, the OS store, or --server-ca), at the time of the server Certificate packet; null when judging is
 * off (--server-ca none) or the chain is not visible (none sent, or TLS 1.3 without keys).
 */
export function serverChainJudgement(connection: TlsConnection, facts: ConnectionFacts, context: RuleContext): Promise<ChainJudgement | null> {
  const known = judged.get(connection);
  if (known) return known;
  const view = serverCertificateView(connection, facts);
  const store = context.serverTrust;
  const judgement = !view || !store ? Promise.resolve(null) : judgeChain(view.chain, store, new Date(view.certificate.time * 1000));
  judged.set(connection, judgement);
  return judgement;
}
