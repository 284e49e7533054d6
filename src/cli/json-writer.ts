import { jsonConnection, jsonHead, jsonTail } from '../report/json.js';
import type { AnalysisResult, ConnectionReport } from '../model/types.js';
import type { ReportOutput } from './output.js';

/** Connection text gathered before one write to the output. */
export const JSON_WRITE_BATCH_BYTES = 1024 * 1024;

/** What the writer writes to: a ReportOutput (output.ts), or anything with its two methods. */
export type TextSink = Pick<ReportOutput, 'write' | 'end'>;

/**
 * Writes the `--json` document as the connections come (src/report/json.ts puts them before the run's facts),
 * in batches of about JSON_WRITE_BATCH_BYTES, each awaited: a slow reader of the output pauses the analysis
 * instead of growing memory. Nothing is written before the first batch is full or the run ends, so an
 * unreadable input (no connection at all) prints no partial document.
 */
export class JsonDocumentWriter {
  private batch = '';
  private count = 0;
  private opened = false;

  constructor(
    private readonly out: TextSink,
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

  /** Ends the output (a file; standard output stays open) when it was written to. */
  async close(): Promise<void> {
    if (this.opened) await this.out.end();
  }

  private async flush(): Promise<void> {
    let text = this.batch;
    this.batch = '';
    if (!this.opened) {
      this.opened = true;
      text = jsonHead(1) + text;
    }
    await this.out.write(text);
  }
}
