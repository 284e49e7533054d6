import type { ConnectionReport, Severity } from '../model/types.js';
import { SEVERITY_RANK } from '../model/severity.js';
import { isFailed, rootCause } from './outcome.js';

/** What problem rows are grouped by besides the root cause (`--group-by`). */
export const GROUP_BY = ['server', 'sni', 'client', 'cause'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

/** Distinct clients and certificate names kept per group: bounded memory on any capture. */
const MAX_DISTINCT = 1000;
const MAX_NAMES = 5;

/** One row of the problem summary: connections sharing a root cause (and a server, SNI or client). */
export interface ProblemGroup {
  /** The root cause's finding id; 'failed-without-finding' for a failed connection no rule explained. */
  cause: string;
  severity: Severity;
  /** The server endpoint (`ip:port`, with ` SNI name` when sent), the SNI, the client address, or null (cause). */
  where: string | null;
  connections: number;
  /** Distinct client addresses (counted up to 1000: `clientsCapped` then). */
  clients: number;
  clientsCapped: boolean;
  /** Subjects (issuers after a ` ← `) of the client certificates involved, the first five. */
  clientCertificates: string[];
  firstTime: string;
  lastTime: string;
  /** The first connection of the group. */
  example: { index: number; file: string; firstFrame: number; lastFrame: number };
}

/**
 * The problems of a run grouped, as every format opens with them: one row per (root cause, server endpoint and
 * SNI) — or per cause and SNI, client, or cause alone — over the failed connections and those whose root cause
 * is a warning; errors first, then by count. Fed one connection at a time, it keeps per group only counts, a
 * bounded set of clients and names, and one example.
 */
export class ProblemGroups {
  private readonly groups = new Map<string, ProblemGroup & { clientSet: Set<string>; names: Set<string> }>();

  constructor(private readonly by: GroupBy = 'server') {}

  /** Counts the connection in its group; true when it is the first of a new group (the group's example). */
  add(c: ConnectionReport): boolean {
    const cause = rootCause(c);
    const failed = isFailed(c);
    if (!failed && cause?.severity !== 'warning') return false;
    const id = cause?.id ?? 'failed-without-finding';
    const where = this.where(c);
    const key = `${id}\u0000${where ?? ''}`;
    let group = this.groups.get(key);
    if (group === undefined) {
      group = {
        cause: id,
        severity: cause?.severity ?? 'error',
        where,
        connections: 0,
        clients: 0,
        clientsCapped: false,
        clientCertificates: [],
        firstTime: c.startTime,
        lastTime: c.endTime,
        example: { index: c.index, file: c.file, firstFrame: c.firstFrame, lastFrame: c.lastFrame },
        clientSet: new Set(),
        names: new Set(),
      };
      this.groups.set(key, group);
    }
    const first = group.connections === 0;
    group.connections++;
    if (group.clientSet.size < MAX_DISTINCT) group.clientSet.add(c.client.ip);
    else if (!group.clientSet.has(c.client.ip)) group.clientsCapped = true;
    const leaf = c.clientCertificates?.[0];
    if (leaf && group.names.size < MAX_NAMES) group.names.add(`${leaf.subject} ← ${leaf.issuer}`);
    if (c.startTime < group.firstTime) group.firstTime = c.startTime;
    if (c.endTime > group.lastTime) group.lastTime = c.endTime;
    return first;
  }

  /** The rows: errors first, then the most connections, then by cause and place. */
  rows(): ProblemGroup[] {
    return [...this.groups.values()]
      .map(({ clientSet, names, ...row }) => ({ ...row, clients: clientSet.size, clientCertificates: [...names] }))
      .sort(
        (a, b) =>
          SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
          b.connections - a.connections ||
          a.cause.localeCompare(b.cause) ||
          (a.where ?? '').localeCompare(b.where ?? ''),
      );
  }

  private where(c: ConnectionReport): string | null {
    switch (this.by) {
      case 'server':
        return `${endpoint(c.server.ip, c.server.port)}${c.sni !== null ? ` SNI ${c.sni}` : ''}`;
      case 'sni':
        return c.sni === null ? 'no SNI' : `SNI ${c.sni}`;
      case 'client':
        return `client ${c.client.ip}`;
      case 'cause':
        return null;
    }
  }
}

function endpoint(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
