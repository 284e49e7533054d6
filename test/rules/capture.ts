import { analyze, type AnalyzeOptions } from '../../src/analyze.js';
import type { ConnectionReport, Finding } from '../../src/model/types.js';
import { keyLogFor, repoPath } from '../repo.js';

/** A file under captures/, by its path there (`mtls/x.pcap`). */
export function capturePath(name: string): string {
  return repoPath('captures', name);
}

/** The key log beside a scenario capture (captures/README.md), or null. */
export function keyLogOf(name: string): string | null {
  return keyLogFor(capturePath(name));
}

/** The single TLS connection of a scenario capture, analysed with its key log unless told otherwise. */
export async function connectionOf(name: string, options: AnalyzeOptions & { withKeys?: boolean } = {}): Promise<ConnectionReport> {
  const connections = await connectionsOf(name, options);
  if (connections.length !== 1) throw new Error(`${name}: expected one TLS connection, got ${connections.length}`);
  return connections[0]!;
}

/** Every TLS connection of a scenario capture (a few scenarios need two: 0-RTT resumes the first's session). */
export async function connectionsOf(name: string, options: AnalyzeOptions & { withKeys?: boolean } = {}): Promise<ConnectionReport[]> {
  const { withKeys = true, ...rest } = options;
  const keyLog = keyLogOf(name);
  const result = await analyze(capturePath(name), { ...(withKeys && keyLog ? { keyLogFiles: [keyLog] } : {}), ...rest });
  if (result.connections.length === 0) throw new Error(`${name}: no TLS connection`);
  return result.connections;
}

export function finding(connection: ConnectionReport, id: string): Finding {
  const found = connection.findings.find((f) => f.id === id);
  if (!found) throw new Error(`no finding ${id}; got: ${connection.findings.map((f) => f.id).join(', ') || 'none'}`);
  return found;
}

export function ids(connection: ConnectionReport): string[] {
  return connection.findings.map((f) => f.id);
}
