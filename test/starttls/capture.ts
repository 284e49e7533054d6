import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import { analyze } from '../../src/analyze.js';
import type { ConnectionReport } from '../../src/model/types.js';

/** The one TLS connection of captures/starttls/<name>.pcap, with its key log when the client wrote one. */
export async function starttlsConnection(name: string): Promise<ConnectionReport> {
  const keyLog = `captures/starttls/${name}.keys.log`;
  const { connections } = await analyze(`captures/starttls/${name}.pcap`, existsSync(keyLog) ? { keyLogFiles: [keyLog] } : {});
  expect(connections).toHaveLength(1);
  return connections[0]!;
}
