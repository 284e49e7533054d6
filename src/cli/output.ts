import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';

/** The report could not be written (-o to a missing folder or a directory, a full disk): exit 2, one line. */
export class OutputError extends Error {
  constructor(
    readonly target: string,
    readonly code: string,
  ) {
    super(`cannot write to ${target}: ${code}`);
    this.name = 'OutputError';
  }
}

/** Whoever read standard output went away (`| head`): the run stops quietly. */
export class OutputClosed extends Error {
  constructor() {
    super('standard output was closed');
    this.name = 'OutputClosed';
  }
}

/** The first error standard output reported: Node emits it as an event, which unhandled would crash the run. */
let stdoutError: NodeJS.ErrnoException | null = null;
let stdoutWatched = false;

function watchStdout(): void {
  if (stdoutWatched) return;
  stdoutWatched = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    stdoutError ??= e;
  });
}

/**
 * Where a report goes: the file of -o (created at the first write, so an unreadable input creates none) or
 * standard output. Every write is awaited, so a slow reader holds the analysis back; a write error becomes
 * OutputError (or OutputClosed when standard output's reader left), never an unhandled 'error' event.
 */
export class ReportOutput {
  private stream: NodeJS.WritableStream | null = null;
  private failure: Error | null = null;

  constructor(readonly path?: string) {
    if (path === undefined) watchStdout();
  }

  get target(): string {
    return this.path ?? 'standard output';
  }

  /**
   * Writes `text`; rejects with OutputError or OutputClosed. Waits only when the stream's buffer is full
   * (backpressure): waiting for every write's callback held the analysis back on each batch (~6 % of a run).
   * An error reported later by a write's callback fails the next write or end().
   */
  async write(text: string): Promise<void> {
    const stream = this.open();
    if (text.length > 0) {
      let flushed: boolean;
      try {
        flushed = stream.write(text, (error) => {
          if (error) this.fail(error);
        });
      } catch (error) {
        this.fail(error as Error);
        flushed = true;
      }
      if (!flushed && this.failure === null) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            stream.removeListener('drain', done);
            stream.removeListener('error', done);
            stream.removeListener('close', done);
            resolve();
          };
          stream.once('drain', done);
          stream.once('error', done);
          stream.once('close', done);
        });
      }
    }
    this.throwIfFailed();
  }

  /** Ends the file of -o (standard output stays open); rejects like write(). */
  async end(): Promise<void> {
    const stream = this.stream;
    if (stream !== null && this.path !== undefined && this.failure === null) {
      stream.end();
      await finished(stream as NodeJS.WritableStream & NodeJS.EventEmitter).catch((error: Error) => this.fail(error));
    }
    this.throwIfFailed();
  }

  private open(): NodeJS.WritableStream {
    this.throwIfFailed();
    if (this.stream === null) {
      if (this.path === undefined) this.stream = process.stdout;
      else {
        const file = createWriteStream(this.path);
        file.on('error', (e) => this.fail(e));
        this.stream = file;
      }
    }
    return this.stream;
  }

  private fail(error: Error): void {
    this.failure ??= error;
  }

  private throwIfFailed(): void {
    const error = (this.failure ?? (this.path === undefined ? stdoutError : null)) as NodeJS.ErrnoException | null;
    if (error === null) return;
    if (this.path === undefined && error.code === 'EPIPE') throw new OutputClosed();
    throw new OutputError(this.target, error.code ?? error.message);
  }
}
