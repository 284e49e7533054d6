import { readCapture, type CaptureInput, type ReadCaptureOptions } from '../capture/index.js';
import type { CaptureSummary, CaptureWarning, DecryptionSecrets } from '../capture/types.js';
import { PacketDecoder, type PacketDecoderStats } from '../ip/index.js';
import type { ConnectionTableStats } from './connection-table.js';
import { shardFilter, type FlowShard } from './flow-shard.js';
import { TcpReassembler, type ReassemblyOptions, type ReassemblyStats } from './reassembler.js';
import type { StreamConsumer } from './types.js';

export interface StreamConnectionsOptions extends ReassemblyOptions, ReadCaptureOptions {
  /** pcapng Decryption Secrets Blocks, in file order, as they are read. */
  onSecrets?: (secrets: DecryptionSecrets) => void;
  /** Warnings kept per code; further ones are counted in one summary warning. Default 20. */
  maxWarningsPerCode?: number;
  /** Only this share of the connections is reassembled (one of several threads on the file); default all. */
  shard?: FlowShard;
}

export interface StreamConnectionsResult {
  capture: CaptureSummary;
  decoder: PacketDecoderStats;
  reassembly: ReassemblyStats;
  /** How much the connection table worked (debug: the hostile-input tests read it). */
  table: ConnectionTableStats;
  warnings: CaptureWarning[];
}

/**
 * The first three stages in one call: reads a capture, decodes each frame down to TCP and rebuilds every
 * connection's byte streams for `consumer`. Resolves once the capture is read and every connection ended.
 */
export async function streamConnections(
  input: CaptureInput,
  consumer: StreamConsumer,
  options: StreamConnectionsOptions = {},
): Promise<StreamConnectionsResult> {
  const warnings = new WarningCollector(options.maxWarningsPerCode ?? 20);
  const warn = (w: CaptureWarning): void => warnings.add(w);
  const reassembler = new TcpReassembler(consumer, options, warn);
  const owns = options.shard ? shardFilter(options.shard) : null;
  const decoder = new PacketDecoder(
    owns === null ? (segment) => reassembler.segment(segment) : (segment) => (owns(segment) ? reassembler.segment(segment) : undefined),
    warn,
  );
  const capture = await readCapture(
    input,
    {
      frame: (frame) => decoder.frame(frame),
      secrets: options.onSecrets,
      warning: warn,
    },
    options,
  );
  reassembler.finish();
  return { capture, decoder: decoder.stats, reassembly: reassembler.stats, table: reassembler.tableStats, warnings: warnings.list() };
}

/** Keeps the first few warnings of each code, so a capture full of the same fault cannot grow the list. */
class WarningCollector {
  private readonly kept: CaptureWarning[] = [];
  private readonly counts = new Map<string, number>();

  constructor(private readonly perCode: number) {}

  add(warning: CaptureWarning): void {
    const count = (this.counts.get(warning.code) ?? 0) + 1;
    this.counts.set(warning.code, count);
    if (count <= this.perCode) this.kept.push(warning);
  }

  list(): CaptureWarning[] {
    const result = [...this.kept];
    for (const [code, count] of this.counts) {
      if (count > this.perCode) result.push({ code, message: `${count - this.perCode} more '${code}' warnings not listed` });
    }
    return result;
  }
}
