import type { AnalysisResult, ConnectionReport } from '../model/types.js';
import { communityId } from './community-id.js';

/**
 * `--format jsonl` (JSON Lines): one line per connection, written the moment it ends — the fields of a
 * connection of the JSON document (docs/output.md) plus `community_id` (Community ID v1 of its TCP flow, to
 * join Zeek's and Suricata's logs) — and a last line with the run's facts (`schemaVersion`, `files`,
 * `warnings`), which has no `index`.
 */
export function jsonLine(connection: ConnectionReport): string {
  return `${JSON.stringify({ ...connection, community_id: communityId(connection.client, connection.server) })}\n`;
}

/** The last line: what the run knows at its end besides its connections. */
export function jsonLinesTail(facts: Omit<AnalysisResult, 'connections'>): string {
  return `${JSON.stringify(facts)}\n`;
}
