// --format jsonl from a capture file: a line per connection with the JSON document's fields plus community_id,
// then one line with the run's facts; and --interface's error when tcpdump cannot be run.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { communityId } from '../../src/report/community-id.js';
import { runCli } from './run.js';
import { tempDir } from '../temp-dir.js';
import { REPO_ROOT as ROOT } from '../repo.js';


describe('--format jsonl', () => {
  it('has every connection of the JSON document, with its community_id, then the facts', async () => {
    const args = ['captures/mtls', '--quiet', '--all', '--workers', '1'];
    const doc = JSON.parse((await runCli(...args, '--json')).stdout);
    const run = await runCli(...args, '--format', 'jsonl');
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n');
    expect(lines.pop()).toBe('');
    const objects = lines.map((l) => JSON.parse(l));
    expect(objects).toHaveLength(doc.connections.length + 1);
    const byIndex = new Map(objects.slice(0, -1).map((o) => [o.index, o]));
    for (const c of doc.connections) {
      const { community_id, ...rest } = byIndex.get(c.index)!;
      expect(rest).toEqual(c);
      expect(community_id).toBe(communityId(c.client, c.server));
    }
    expect(objects.at(-1)).toEqual({ schemaVersion: doc.schemaVersion, files: doc.files, warnings: doc.warnings });
  });

  it('with --redact, leaves no address in any line', async () => {
    const run = await runCli('captures/mtls', '--format', 'jsonl', '--redact', '--quiet', '--all');
    expect(run.code).toBe(1);
    expect(run.stdout.trim().split('\n').length).toBeGreaterThan(10);
    expect(run.stdout).not.toContain('127.0.0.1');
  });
});

describe('--interface', () => {
  it('says what to install when tcpdump is missing', () => {
    spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'ignore' });
    const run = spawnSync(process.execPath, ['bin/tlsdiag.js', '-i', 'lo', 'port', '443'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, PATH: tempDir('tlsdiag-empty-path-') },
    });
    expect(run.stderr).toBe('tlsdiag: --interface runs tcpdump, which is not installed (apt-get install tcpdump)\n');
    expect(run.status).toBe(2);
  });
});
