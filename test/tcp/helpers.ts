import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { streamConnections, type StreamConnectionsOptions, type StreamConnectionsResult } from '../../src/tcp/streams.js';
import type { Direction, StreamConsumer, TcpConnectionInfo } from '../../src/tcp/types.js';
import { REPO_ROOT } from '../repo.js';

const run = promisify(execFile);

export const REPO = REPO_ROOT;
export const CAPTURES_DIR = join(REPO, 'captures');
export const TCP_CAPTURES_DIR = join(CAPTURES_DIR, 'tcp');
export const JA4_DIR = resolve(REPO, '../shared/conformance/ja4/captures');

/** One direction of a stream as a list of pieces: bytes, or `missing` bytes the capture lost. */
export type Piece = { kind: 'data'; bytes: Buffer } | { kind: 'gap'; missing: number };

export interface CollectedConnection {
  info: TcpConnectionInfo;
  pieces: [Piece[], Piece[]];
  closes: { direction: Direction; kind: string }[];
  ended: boolean;
}

/** Every capture file under `dir`, descending into subfolders (captures/work is scratch space, skipped). */
export function allCaptures(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name !== 'work' && name !== 'node_modules') out.push(...allCaptures(full));
    } else if (/\.(pcap|pcapng|cap)(\.gz)?$/.test(name)) out.push(full);
  }
  return out;
}

/** Appends data or a gap, merging neighbours of the same kind so chunking does not matter when comparing. */
export function addPiece(pieces: Piece[], piece: Piece): void {
  const last = pieces[pieces.length - 1];
  if (last !== undefined && last.kind === 'data' && piece.kind === 'data') last.bytes = Buffer.concat([last.bytes, piece.bytes]);
  else if (last !== undefined && last.kind === 'gap' && piece.kind === 'gap') last.missing += piece.missing;
  else if (piece.kind === 'data' ? piece.bytes.length > 0 : piece.missing > 0) pieces.push(piece.kind === 'data' ? { kind: 'data', bytes: Buffer.from(piece.bytes) } : { ...piece });
}

/** A StreamConsumer that keeps every byte and gap of every connection, in order. */
export class CollectingConsumer implements StreamConsumer {
  readonly connections: CollectedConnection[] = [];

  open(info: TcpConnectionInfo) {
    const conn: CollectedConnection = { info, pieces: [[], []], closes: [], ended: false };
    this.connections.push(conn);
    return {
      data: (direction: Direction, data: Uint8Array) => {
        if (conn.ended) throw new Error('data after end');
        addPiece(conn.pieces[direction], { kind: 'data', bytes: Buffer.from(data) });
      },
      gap: (direction: Direction, missing: number) => {
        if (conn.ended) throw new Error('gap after end');
        if (!(missing > 0)) throw new Error(`gap of ${missing} bytes`);
        addPiece(conn.pieces[direction], { kind: 'gap', missing });
      },
      close: (event: { direction: Direction; kind: string }) => conn.closes.push({ direction: event.direction, kind: event.kind }),
      end: () => {
        if (conn.ended) throw new Error('end called twice');
        conn.ended = true;
      },
    };
  }
}

export async function reassemble(path: string, options: StreamConnectionsOptions = {}): Promise<{ consumer: CollectingConsumer; result: StreamConnectionsResult }> {
  const consumer = new CollectingConsumer();
  const result = await streamConnections(path, consumer, options);
  return { consumer, result };
}

export interface TsharkStream {
  index: number;
  firstFrame: number;
  /** Node 0 is the sender of the stream's first packet, as `ip:port` (IPv6 without brackets). */
  nodes: [string, string];
  pieces: [Piece[], Piece[]];
  /** Frames of the stream that snaplen cut (captured length below the length on the wire). */
  truncatedFrames: number;
}

const MISSING = /^\[(\d+) bytes missing in capture file\]\0?$/;

/**
 * tshark's standard output. It exits non-zero on a file cut inside a packet record ("appears to have been cut
 * short in the middle of a packet") after handling every whole packet: those are what tlsdiag reads too.
 */
async function tsharkOutput(args: string[], maxBuffer: number): Promise<string> {
  try {
    return (await run('tshark', args, { maxBuffer })).stdout;
  } catch (e) {
    const failed = e as { stdout?: unknown; stderr?: unknown };
    if (typeof failed.stdout === 'string' && /cut short in the middle of a packet/.test(String(failed.stderr))) return failed.stdout;
    throw e;
  }
}

/** Every TCP stream tshark finds, with `-z follow,tcp,raw,N` parsed into data and gaps per node. */
export async function tsharkStreams(path: string): Promise<TsharkStream[]> {
  const fields = await tsharkOutput(['-r', path, '-T', 'fields', '-e', 'tcp.stream', '-e', 'frame.number', '-e', 'frame.len', '-e', 'frame.cap_len', '-Y', 'tcp'], 64 << 20);
  const firstFrames = new Map<number, number>();
  const truncated = new Map<number, number>();
  for (const line of fields.split('\n')) {
    const [stream, frame, wireLength, capturedLength] = line.trim().split('\t');
    if (stream === undefined || stream === '' || frame === undefined) continue;
    const index = Number(stream);
    if (!firstFrames.has(index)) firstFrames.set(index, Number(frame));
    if (Number(capturedLength) < Number(wireLength)) truncated.set(index, (truncated.get(index) ?? 0) + 1);
  }
  if (firstFrames.size === 0) return [];
  const args = ['-r', path, '-q'];
  for (const index of firstFrames.keys()) args.push('-z', `follow,tcp,raw,${index}`);
  const stdout = await tsharkOutput(args, 256 << 20);
  const streams: TsharkStream[] = [];
  let current: TsharkStream | null = null;
  for (const line of stdout.split('\n')) {
    const filter = /^Filter: tcp\.stream eq (\d+)$/.exec(line);
    if (filter !== null) {
      const index = Number(filter[1]);
      current = { index, firstFrame: firstFrames.get(index)!, nodes: ['', ''], pieces: [[], []], truncatedFrames: truncated.get(index) ?? 0 };
      streams.push(current);
      continue;
    }
    if (current === null) continue;
    const node = /^Node ([01]): (.*)$/.exec(line);
    if (node !== null) {
      current.nodes[Number(node[1]) as 0 | 1] = node[2]!.replace(/^\[(.*)\]:(\d+)$/, '$1:$2');
      continue;
    }
    if (line.startsWith('===')) {
      current = null;
      continue;
    }
    const side = line.startsWith('\t') ? 1 : 0;
    const hex = line.trim();
    if (hex === '' || !/^[0-9a-f]+$/.test(hex)) continue;
    const bytes = Buffer.from(hex, 'hex');
    const missing = MISSING.exec(bytes.toString('latin1'));
    addPiece(current.pieces[side], missing !== null ? { kind: 'gap', missing: Number(missing[1]) } : { kind: 'data', bytes });
  }
  return streams;
}

export function endpointText(e: { ip: string; port: number }): string {
  return `${e.ip}:${e.port}`;
}

/** The data bytes of a piece list, gaps left out. */
export function dataOnly(pieces: Piece[]): Buffer {
  return Buffer.concat(pieces.flatMap((p) => (p.kind === 'data' ? [p.bytes] : [])));
}

/** Short, readable description of a piece list for failure messages. */
export function describe(pieces: Piece[]): string {
  return pieces.map((p) => (p.kind === 'data' ? `data(${p.bytes.length})` : `gap(${p.missing})`)).join(' ');
}
