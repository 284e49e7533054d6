import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { fstatSync } from 'node:fs';
import type { Readable } from 'node:stream';

/**
 * SIGINT and SIGTERM while a report runs: the first stops reading (what was read is analysed, open connections
 * are reported, the report is completed); a second one ends the process at once (exit 130 / 143).
 */
export function stopOnSignals(onStop: () => void = () => {}): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((name) => {
    const handler = (): void => {
      if (controller.signal.aborted) process.exit(name === 'SIGINT' ? 130 : 143);
      controller.abort();
      onStop();
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    dispose: () => {
      for (const [name, handler] of handlers) process.off(name, handler);
    },
  };
}

/** Standard input is live (a pipe, socket or terminal) rather than a file redirected into it. */
export function standardInputIsLive(): boolean {
  try {
    return !fstatSync(0).isFile();
  } catch {
    return false;
  }
}

export interface LiveCapture {
  /** The input's name in the report: `tcpdump -i <interface>`. */
  name: string;
  stream: Readable;
  /** Stops tcpdump (when tlsdiag is told to stop; a terminal's Ctrl-C reaches tcpdump itself). */
  stop(): void;
}

/**
 * Starts `tcpdump -i <if> -s 0 -U -w - <filter>` (full packets, each written as it is captured). Resolves once
 * tcpdump runs (its first output), or rejects with a message saying what to do when it is not installed or
 * may not capture on the interface.
 */
export async function startTcpdump(iface: string, filter: string[]): Promise<LiveCapture> {
  const args = ['-i', iface, '-s', '0', '-U', '-w', '-', ...filter];
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn('tcpdump', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (b: Buffer) => {
    // tcpdump's own lines ("listening on lo", "N packets captured") matter only when it fails.
    if (errors.length < 4096) errors += b.toString('utf8');
  });
  const started = await new Promise<'running' | NodeJS.ErrnoException | number>((resolve) => {
    // 'readable' also comes at the end of an empty output: only bytes mean tcpdump is capturing.
    const onReadable = (): void => {
      if (child.stdout.readableLength > 0) resolve('running');
      else if (!child.stdout.readableEnded) child.stdout.once('readable', onReadable);
    };
    child.stdout.once('readable', onReadable);
    child.once('error', (e) => resolve(e));
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  if (started !== 'running') {
    child.kill();
    if (typeof started === 'object' && started.code === 'ENOENT') {
      throw new Error('--interface runs tcpdump, which is not installed (apt-get install tcpdump)');
    }
    const lines = errors.trim().split('\n').filter((l) => l && !/^(listening on|\d+ packets)/.test(l));
    const said = (lines.find((l) => l.startsWith('tcpdump: ')) ?? lines.at(-1) ?? '').replace(/^tcpdump: /, '');
    const reason = typeof started === 'object' ? started.message : said || `exit code ${started}`;
    const hint = /permission|not permitted/i.test(reason) ? ' (run as root, or give tcpdump the CAP_NET_RAW capability)' : '';
    throw new Error(`tcpdump ${args.join(' ')} could not capture: ${reason}${hint}`);
  }
  return {
    name: `tcpdump -i ${iface}`,
    stream: child.stdout,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGTERM');
    },
  };
}
