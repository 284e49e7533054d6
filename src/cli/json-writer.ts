import { jsonConnection, jsonHead, jsonTail } from '../report/json.js';
import type { AnalysisResult, ConnectionReport } from '../model/types.js';

/** Connection text gathered before one write to the output. */
export const JSON_WRITE_BATCH_BYTES = 1024 * 1024;

/**
 * Writes the `--json` document as the connections come (src/report/json.ts puts them before the run's facts),
 * in batches of about JSON_WRITE_BATCH_BYTES, each awaited: a slow reader of the output pauses the analysis
 * instead of growing memory. Nothing is written before the first batch is full or the run ends, so an
 * unreadable input (no connection at all) prints no partial document.
 */
export class JsonDocumentWriter {
  private batch = '';
  private count = 0;
  private out: NodeJS.WritableStream | null = null;

  /** `open` is called at the first write: an unreadable input creates no output file. */
  constructor(
    private readonly open: () => NodeJS.WritableStream,
    private readonly batchBytes = JSON_WRITE_BATCH_BYTES,
  ) {}

  async add(connection: ConnectionReport): Promise<void> {
    this.batch += jsonConnection(connection, this.count++);
    if (this.batch.length >= this.batchBytes) await this.flush();
  }

  /** Writes what is left and the run's facts. */
  async finish(facts: Omit<AnalysisResult, 'connections'>): Promise<void> {
    this.batch += jsonTail(this.count, facts);
    await this.flush();
  }

  /** Ends the output unless it is standard output (or was never opened). */
  async close(): Promise<void> {
    const out = this.out;
    if (out === null || out === process.stdout) return;
    await new Promise<void>((resolve) => out.end(resolve));
  }

  private async flush(): Promise<void> {
    let text = this.batch;
    this.batch = '';
    if (this.out === null) {
      this.out = this.open();
      text = jsonHead(1) + text;
    }
    const out = this.out;
    await new Promise<void>((resolve, reject) => {
      out.write(text, (error) => (error ? reject(error) : resolve()));
    });
  }
}
