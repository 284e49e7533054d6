import type { Outcome } from '../../src/facts/types.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, type AnalyzeOptions } from '../../src/analyze.js';
import type { ConnectionReport, Finding } from '../../src/model/types.js';

export const ROOT = join(import.meta.dirname, '..', '..');

export interface CaptureMeta {
  server?: string;
  expect?: { outcome: Outcome; established?: boolean; alert?: { from: string; description: string } | null; findings?: string[] };
}

export function capturePath(name: string): string {
  return join(ROOT, 'captures', name);
}

export function metaOf(name: string): CaptureMeta | null {
  const path = capturePath(name).replace(/\.pcap(ng)?$/, '.meta.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as CaptureMeta) : null;
}

export function keyLogOf(name: string): string | null {
  const path = capturePath(name).replace(/\.pcap(ng)?$/, '.keys.log');
  return existsSync(path) ? path : null;
}

/** nginx's ssl_verify_depth as the scenario's meta.json states it (what a user would pass as --verify-depth). */
export function verifyDepthOf(meta: CaptureMeta | null): number | undefined {
  const match = meta?.server ? /ssl_verify_depth (\d+)/.exec(meta.server) : null;
  return match ? Number(match[1]) : undefined;
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
