import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Text kept in memory before the spool moves to a temporary file. */
export const JSON_SPOOL_MEMORY_BYTES = 1024 * 1024;

/**
 * The connections' JSON of a streaming `--json` run. The document opens with the files and warnings, which are
 * known only once every capture was read, so the connections' text waits here: in memory up to
 * JSON_SPOOL_MEMORY_BYTES, then in a temporary file (removed at the end), so memory stays bounded whatever the
 * size of the capture. Nothing is written to the output before the end, as before: an unreadable input still
 * prints no partial document.
 */
export class JsonSpool {
  private pieces: string[] = [];
  private held = 0;
  private dir: string | null = null;
  private fd: number | null = null;

  constructor(private readonly memoryBytes = JSON_SPOOL_MEMORY_BYTES) {}

  add(text: string): void {
    this.pieces.push(text);
    this.held += text.length;
    if (this.held >= this.memoryBytes) this.flushToFile();
  }

  /** Writes head, the spooled connections and tail to `out`, then ends `out` unless it is standard output. */
  async writeTo(head: string, tail: string, out: NodeJS.WritableStream): Promise<void> {
    const put = (piece: string | Uint8Array): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        out.write(piece, (error) => (error ? reject(error) : resolve()));
      });
    await put(head);
    if (this.fd !== null) {
      this.flushToFile();
      closeSync(this.fd);
      this.fd = null;
      for await (const chunk of createReadStream(join(this.dir!, 'connections.json'), { highWaterMark: 1 << 20 })) {
        await put(chunk as Uint8Array);
      }
    } else {
      await put(this.pieces.join(''));
    }
    await put(tail);
    if (out !== process.stdout) await new Promise<void>((resolve) => out.end(resolve));
  }

  /** The temporary file's folder while the spool uses one. */
  get spillDirectory(): string | null {
    return this.dir;
  }

  discard(): void {
    this.pieces = [];
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    if (this.dir !== null) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }

  private flushToFile(): void {
    if (this.fd === null) {
      this.dir = mkdtempSync(join(tmpdir(), 'tlsdiag-json-'));
      this.fd = openSync(join(this.dir, 'connections.json'), 'w', 0o600);
    }
    writeSync(this.fd, this.pieces.join(''));
    this.pieces = [];
    this.held = 0;
  }
}
