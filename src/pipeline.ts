import { pushKeyLogWarnings, type ResolvedInputs } from './analysis-inputs.js';
import type { CaptureInput } from './capture/index.js';
import type { DecryptionSecrets } from './capture/types.js';
import type { AnalysisWarning, ConnectionReport } from './model/types.js';
import { ReleaseQueue } from './release-queue.js';
import { diagnoseConnection } from './rules/index.js';
import { streamConnections, type StreamConnectionsResult } from './tcp/streams.js';
import type { FlowShard } from './tcp/flow-shard.js';
import type { StreamConsumer } from './tcp/types.js';
import { TlsConnectionTracker, type TlsConnection } from './tls/connection.js';
import { createKeyExchangeOpener, createKeyProvider } from './tls/decrypt/index.js';

export interface CaptureDiagnosisOptions {
  /** The capture's name in its reports and warnings. */
  file: string;
  /** How many finished connections may wait behind an open one (see DEFAULT_REORDER_WINDOW); default Infinity. */
  reorderWindow?: number;
  /** Stops reading when aborted: connections still open are reported as they stand. */
  signal?: AbortSignal;
  /** As the capture is read: bytes so far, and connections (TLS or not) finished so far. */
  onProgress?: (bytesRead: number, connectionsFinished: number) => void;
  /**
   * The capture's own secrets (pcapng Decryption Secrets Blocks) as they are read; null: not read (already
   * known). Default: added to the inputs' key log, their warnings to the outcome's.
   */
  onSecrets?: ((secrets: DecryptionSecrets) => void) | null;
  /**
   * Whether the capture carried secrets of its own so far: the rules then count a key log as given. Default:
   * whether a secrets block was read.
   */
  carriesSecrets?: () => boolean;
  /** Only this share of the capture's connections (one of several threads on the file); default all. */
  shard?: FlowShard;
  /** Called once a connection's rules ran, with the parsed connection; false leaves its report out (a filter). */
  keep?: (report: ConnectionReport, connection: TlsConnection) => boolean;
}

/** What the capture's diagnosis knows at its end besides the reports. */
export interface CaptureOutcome {
  stream: StreamConnectionsResult;
  /**
   * The capture's warnings, named by `file`: those of its secrets (default onSecrets), the reader's, and one
   * per --key file whose key matched no server certificate of the capture.
   */
  warnings: AnalysisWarning[];
}

/** The reports of one capture as they are released; `outcome()` is known once every one was taken. */
export interface CaptureDiagnosis extends AsyncIterable<ConnectionReport> {
  outcome(): CaptureOutcome;
}

/**
 * One capture through the whole pipeline: capture → TCP → TLS tracker → facts, report and rules
 * (diagnoseConnection) as each connection ends → reports released in the order the connections opened
 * (ReleaseQueue: reorder window, backpressure on the reader, early stop). The parsed connection is dropped once
 * its rules ran. Every analysis runs this: analyze(), the hostile-input tests, the fuzzer.
 */
export function diagnoseCapture(input: CaptureInput, inputs: ResolvedInputs, options: CaptureDiagnosisOptions): CaptureDiagnosis {
  let outcome: CaptureOutcome | null = null;
  async function* run(): AsyncGenerator<ConnectionReport> {
    const { keys, exchange, rules } = inputs;
    const { file, keep } = options;
    const warnings: AnalysisWarning[] = [];
    let secretsRead = false;
    const readSecrets = (secrets: DecryptionSecrets): void => {
      secretsRead = true;
      pushKeyLogWarnings(warnings, file, keys.addDecryptionSecrets(secrets));
    };
    const carriesSecrets = options.carriesSecrets ?? (() => secretsRead);
    const opener = exchange === null ? undefined : createKeyExchangeOpener(exchange);
    const provider = createKeyProvider(keys, opener);
    const queue = new ReleaseQueue<ConnectionReport>(options.reorderWindow ?? Infinity);
    let finished = 0;
    const reportOf = async (connection: TlsConnection): Promise<ConnectionReport | null> => {
      const context = carriesSecrets() && !rules.keyLogGiven ? { ...rules, keyLogGiven: true } : rules;
      const report = await diagnoseConnection(connection, 0, file, context);
      // After the rules: a filter may ask for findings or the outcome (--filter finding=, severity=, outcome=).
      if (report === null || (keep && !keep(report, connection))) return null;
      return report;
    };
    const consumer: StreamConsumer = {
      open: (info, control) => {
        const ticket = queue.open();
        return new TlsConnectionTracker(info, control, provider, (connection) => {
          finished++;
          queue.finish(ticket, connection.detection === 'tls' ? reportOf(connection) : null);
        });
      },
    };
    const onProgress = options.onProgress;
    let failure: unknown = null;
    const reading = streamConnections(input, consumer, {
      signal: options.signal,
      onProgress: onProgress ? (bytesRead) => onProgress(bytesRead, finished) : undefined,
      onSecrets: options.onSecrets === null ? undefined : (options.onSecrets ?? readSecrets),
      pace: queue.pace,
      shard: options.shard,
    })
      .catch((e: unknown) => {
        failure = e ?? new Error('reading failed');
        return null;
      })
      .finally(() => queue.end());
    yield* queue.items();
    const stream = await reading;
    if (stream === null) throw failure;
    warnings.push(...stream.warnings.map((w): AnalysisWarning => ({ file, ...w })));
    // One per key file and capture here; analyzeConnections keeps those of keys that matched in no capture.
    for (const keyFile of opener?.unmatchedKeyFiles() ?? []) {
      warnings.push({ file: keyFile, code: 'key-unmatched', message: `the private key in ${keyFile} matches no server certificate of ${file}` });
    }
    outcome = { stream, warnings };
  }
  return {
    [Symbol.asyncIterator]: run,
    outcome: () => {
      if (outcome === null) throw new Error('outcome() is known once every report was taken');
      return outcome;
    },
  };
}
