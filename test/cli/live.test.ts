// Live use: `tcpdump -i lo -s 0 -U -w - | tlsdiag -` against real Node TLS peers on loopback (ports 27500-27999).
// A failed handshake must come out the moment it ends (JSON Lines and text), and SIGINT must end the run with
// the connection still open reported, the summary printed and every output complete.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityId } from '../../src/report/community-id.js';
import { makeCredentials, type Credentials } from '../tls/decrypt/peers.js';
import { requireTools } from '../tools.js';
import { REPO_ROOT as ROOT } from '../repo.js';

const PORT_FAIL = 27500 + Math.floor(Math.random() * 200) * 2;
const PORT_OPEN = PORT_FAIL + 1;
const ready = requireTools(['tcpdump', 'openssl'], 'the live capture test (tcpdump | tlsdiag -)');

/** A process's output as it grows, with a way to wait for a pattern. */
class Output {
  text = '';
  private waiters: Array<() => void> = [];
  constructor(stream: NodeJS.ReadableStream) {
    stream.on('data', (b: Buffer) => {
      this.text += b.toString('utf8');
      for (const w of this.waiters.splice(0)) w();
    });
  }
  async waitFor(pattern: RegExp, ms = 20_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pattern.test(this.text)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} in:\n${this.text}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }
}

const exitOf = (child: ChildProcessWithoutNullStreams): Promise<number | null> =>
  child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', (code) => resolve(code)));

describe.runIf(ready)('tcpdump -w - | tlsdiag - on loopback, then SIGINT', () => {
  let credentials: Credentials;
  const servers: tls.Server[] = [];
  const sockets: tls.TLSSocket[] = [];
  const children: ChildProcessWithoutNullStreams[] = [];

  beforeAll(() => {
    spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'ignore' });
    credentials = makeCredentials();
  });
  afterAll(() => {
    for (const s of sockets) s.destroy();
    for (const s of servers) s.close();
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  });

  async function listen(port: number, options: tls.TlsOptions): Promise<void> {
    const server = tls.createServer({ key: readFileSync(credentials.serverKey), cert: readFileSync(credentials.serverCert), ...options }, (s) => {
      s.on('error', () => {});
      sockets.push(s);
    });
    server.on('tlsClientError', () => {});
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  }

  /** A TLS 1.2 client; resolves with its port once the handshake ended (completed or refused). */
  function connect(port: number): Promise<{ socket: tls.TLSSocket; localPort: number }> {
    return new Promise((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, maxVersion: 'TLSv1.2' });
      sockets.push(socket);
      let localPort = 0;
      socket.on('connect', () => (localPort = socket.localPort!));
      socket.on('secureConnect', () => resolve({ socket, localPort }));
      socket.on('error', () => {});
      socket.on('close', () => resolve({ socket, localPort }));
    });
  }

  it('prints a failed connection as it ends; on SIGINT reports the open one and completes every output', async () => {
    // A server that wants a client certificate the client does not have, and one that does not.
    await listen(PORT_FAIL, { requestCert: true, rejectUnauthorized: true, ca: [readFileSync(credentials.clientCert)] });
    await listen(PORT_OPEN, {});

    const filter = `tcp and (port ${PORT_FAIL} or port ${PORT_OPEN})`;
    const tcpdump = spawn('tcpdump', ['-i', 'lo', '-s', '0', '-U', '-w', '-', filter]);
    children.push(tcpdump);
    const tcpdumpSays = new Output(tcpdump.stderr);
    await tcpdumpSays.waitFor(/listening on/);
    const tlsdiag = (...args: string[]) => {
      const child = spawn(process.execPath, ['bin/tlsdiag.js', '-', '--quiet', ...args], { cwd: ROOT });
      children.push(child);
      return { child, stdout: new Output(child.stdout), stderr: new Output(child.stderr) };
    };
    const jsonl = tlsdiag('--format', 'jsonl');
    const text = tlsdiag('--no-color');
    const json = tlsdiag('--json', '--all');
    tcpdump.stdout.on('data', (chunk: Buffer) => {
      for (const run of [jsonl, text, json]) run.child.stdin.write(chunk);
    });

    // 1. A failed handshake: reported while tcpdump still runs and stdin stays open.
    const failed = await connect(PORT_FAIL);
    expect(failed.localPort).toBeGreaterThan(0);
    await jsonl.stdout.waitFor(/\n/);
    await text.stdout.waitFor(/client-cert-empty[\s\S]*\n\n/);
    const before = jsonl.stdout.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(before).toHaveLength(1);
    expect(before[0]).toMatchObject({ established: false, server: { port: PORT_FAIL }, client: { port: failed.localPort } });
    expect(before[0].findings.map((f: { id: string }) => f.id)).toContain('client-cert-empty');
    expect(before[0].community_id).toBe(communityId({ ip: '127.0.0.1', port: failed.localPort }, { ip: '127.0.0.1', port: PORT_FAIL }));
    expect(before[0].community_id).toMatch(/^1:[A-Za-z0-9+/]{27}=$/);
    const textBefore = text.stdout.text;
    expect(textBefore).toMatch(new RegExp(`^FAILED +127\\.0\\.0\\.1:${failed.localPort} → 127\\.0\\.0\\.1:${PORT_FAIL}`));
    expect(textBefore).not.toMatch(/TLS connections?, /); // no summary yet

    // 2. A connection that stays open, then Ctrl-C (SIGINT) to tlsdiag while tcpdump goes on capturing.
    const open = await connect(PORT_OPEN);
    expect(open.socket.encrypted && !open.socket.destroyed).toBe(true);
    await new Promise((r) => setTimeout(r, 1500)); // tcpdump -U has written the handshake's packets
    for (const run of [jsonl, text, json]) run.child.kill('SIGINT');
    const [jsonlCode, textCode, jsonCode] = await Promise.all([exitOf(jsonl.child), exitOf(text.child), exitOf(json.child)]);

    // JSON Lines: the failed connection, the open one, then the run's facts; every line is JSON.
    const lines = jsonl.stdout.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toEqual(before[0]);
    expect(lines[1]).toMatchObject({ server: { port: PORT_OPEN }, client: { port: open.localPort }, closedBy: null });
    // Still open when reading stopped: its handshake completed, the connection did not end.
    expect(['established', 'incomplete']).toContain(lines[1].outcome);
    expect(lines[1].community_id).toBe(communityId({ ip: '127.0.0.1', port: open.localPort }, { ip: '127.0.0.1', port: PORT_OPEN }));
    expect(lines[2]).toMatchObject({ schemaVersion: 1, files: [{ file: '-', format: 'pcap' }] });
    expect(lines[2].index).toBeUndefined();
    expect(jsonl.stderr.text).toBe('');
    expect(jsonlCode).toBe(1);

    // Text: what came before, then the summary and the footer; the failed connection is not repeated.
    expect(text.stdout.text.startsWith(textBefore)).toBe(true);
    const after = text.stdout.text.slice(textBefore.length);
    expect(after).toMatch(/^2 TLS connections, 1 failed\n/);
    expect(after).toContain('by finding: client-cert-empty 1');
    expect(after).not.toMatch(/^FAILED/m);
    expect(after).toMatch(/^-? ?\(pcap, \d+ frames\): 2 TLS connections, 1 failed/m);
    expect(text.stderr.text).toBe('');
    expect(textCode).toBe(1);

    // The JSON document is closed and holds both connections, as JSON Lines had them.
    const document = JSON.parse(json.stdout.text);
    expect(document.connections.map((c: { server: { port: number } }) => c.server.port)).toEqual([PORT_FAIL, PORT_OPEN]);
    expect(document.files).toEqual([lines[2].files[0]]);
    expect(jsonCode).toBe(1);
    tcpdump.kill('SIGTERM');
  }, 60_000);
});
