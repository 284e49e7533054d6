import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import { analyze } from '../../src/analyze.js';
import type { ConnectionReport } from '../../src/model/types.js';

/** The one TLS connection of captures/starttls/<name>.pcap, with its key log when the client wrote one. */
export async function starttlsConnection(name: string): Promise<ConnectionReport> {
  const keyLog = `captures/starttls/${name}.keys.log`;
  // The servers use the private test PKI, which the clients were told to trust: no judging against the default
  // Mozilla store (what these tests are about is the upgrade; test/x509/trust-store.test.ts covers trust).
  const { connections } = await analyze(`captures/starttls/${name}.pcap`, {
    serverCaFiles: ['none'],
    ...(existsSync(keyLog) ? { keyLogFiles: [keyLog] } : {}),
  });
  expect(connections).toHaveLength(1);
  return connections[0]!;
}
