import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readCapture, type CaptureSummary, type DecryptionSecrets, type CaptureWarning, type Frame } from '../../src/capture/index.js';
import { PacketDecoder } from '../../src/ip/index.js';
import type { TcpSegment } from '../../src/ip/tcp-segment.js';
import { REPO_ROOT } from '../repo.js';

export const REPO = REPO_ROOT;
export const FORMATS_DIR = join(REPO, 'captures/formats');
export const JA4_DIR = resolve(REPO, '../shared/conformance/ja4/captures');

export function capturesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.(pcap|pcapng|gz|cap)$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** One line of `tshark -T fields` per frame. */
export interface TsharkFrame {
  number: number;
  timeEpoch: string;
  capturedLength: number;
  originalLength: number;
  /** Wireshark's WTAP_ENCAP number, not the LINKTYPE. */
  encapType: number;
  interfaceId: number;
  protocols: string;
  srcPort: number | null;
  dstPort: number | null;
  seqRaw: number | null;
  tcpLength: number | null;
  ipSrc: string;
  ipDst: string;
}

export function tsharkFrames(file: string): TsharkFrame[] {
  const fields = [
    'frame.number',
    'frame.time_epoch',
    'frame.cap_len',
    'frame.len',
    'frame.encap_type',
    'frame.interface_id',
    'frame.protocols',
    'tcp.srcport',
    'tcp.dstport',
    'tcp.seq_raw',
    'tcp.len',
    'ip.src',
    'ip.dst',
    'ipv6.src',
    'ipv6.dst',
  ];
  const out = execFileSync('tshark', ['-n', '-r', file, '-T', 'fields', '-E', 'occurrence=f', ...fields.flatMap((f) => ['-e', f])], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const num = (s: string | undefined): number | null => (s === undefined || s === '' ? null : Number(s));
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const c = line.split('\t');
      return {
        number: Number(c[0]),
        timeEpoch: c[1]!,
        capturedLength: Number(c[2]),
        originalLength: Number(c[3]),
        encapType: Number(c[4]),
        interfaceId: num(c[5]) ?? 0,
        protocols: c[6]!,
        srcPort: num(c[7]),
        dstPort: num(c[8]),
        seqRaw: num(c[9]),
        tcpLength: num(c[10]),
        ipSrc: c[11] || c[13] || '',
        ipDst: c[12] || c[14] || '',
      };
    });
}

/** What we keep of each frame, copied out of the reused Frame. */
export interface FrameRecord {
  number: number;
  tsSec: number;
  tsNsec: number;
  linkType: number;
  interfaceId: number;
  capturedLength: number;
  originalLength: number;
  bytes: Uint8Array;
}

export interface SegmentRecord {
  frame: number;
  srcPort: number;
  dstPort: number;
  seq: number;
  payloadLength: number;
  missingPayload: number;
  ipVersion: 4 | 6;
  srcAddr: Uint8Array;
  dstAddr: Uint8Array;
  payload: Uint8Array;
}

export interface ReadResult {
  summary: CaptureSummary;
  frames: FrameRecord[];
  segments: SegmentRecord[];
  secrets: DecryptionSecrets[];
  warnings: CaptureWarning[];
  decoder: PacketDecoder;
}

export function copyFrame(f: Frame): FrameRecord {
  return {
    number: f.number,
    tsSec: f.tsSec,
    tsNsec: f.tsNsec,
    linkType: f.linkType,
    interfaceId: f.interfaceId,
    capturedLength: f.capturedLength,
    originalLength: f.originalLength,
    bytes: f.bytes.slice(f.offset, f.offset + f.capturedLength),
  };
}

export function copySegment(s: TcpSegment): SegmentRecord {
  const addrLength = s.ipVersion === 4 ? 4 : 16;
  return {
    frame: s.frame,
    srcPort: s.srcPort,
    dstPort: s.dstPort,
    seq: s.seq,
    payloadLength: s.payloadLength,
    missingPayload: s.missingPayload,
    ipVersion: s.ipVersion,
    srcAddr: s.bytes.slice(s.srcAddrOffset, s.srcAddrOffset + addrLength),
    dstAddr: s.bytes.slice(s.dstAddrOffset, s.dstAddrOffset + addrLength),
    payload: s.bytes.slice(s.payloadOffset, s.payloadOffset + s.payloadLength),
  };
}

/** Reads a capture through readCapture and PacketDecoder, keeping copies of everything delivered. */
export async function readAll(input: Parameters<typeof readCapture>[0], options?: Parameters<typeof readCapture>[2]): Promise<ReadResult> {
  const frames: FrameRecord[] = [];
  const segments: SegmentRecord[] = [];
  const secrets: DecryptionSecrets[] = [];
  const warnings: CaptureWarning[] = [];
  const decoder = new PacketDecoder(
    (s) => segments.push(copySegment(s)),
    (w) => warnings.push(w),
  );
  const summary = await readCapture(
    input,
    {
      frame(f) {
        frames.push(copyFrame(f));
        decoder.frame(f);
      },
      secrets: (s) => secrets.push(s),
      warning: (w) => warnings.push(w),
    },
    options,
  );
  return { summary, frames, segments, secrets, warnings, decoder };
}

export function epochText(tsSec: number, tsNsec: number): string {
  return `${tsSec}.${String(tsNsec).padStart(9, '0')}`;
}
