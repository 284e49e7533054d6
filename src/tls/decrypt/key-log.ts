import { open } from 'node:fs/promises';
import { inspect } from 'node:util';
import { parseHex, sameBytes, toHex } from '../../util/bytes.js';
import type { ConnectionSecrets, KeyLogWarning } from './types.js';

/**
 * Distinct connections (client randoms) one KeyLog holds; about 400 bytes each, so ~40 MB at the cap. Past it
 * the oldest are dropped: SSLKEYLOGFILE is appended to, so the newest lines are the sessions a capture holds.
 */
export const MAX_KEY_LOG_CONNECTIONS = 100_000;
/** No valid line comes near this (the longest is ~210 characters); longer ones are not parsed. */
export const MAX_KEY_LOG_LINE_LENGTH = 1024;
/** Warnings listed per source; one more warning counts the rest. */
export const MAX_KEY_LOG_WARNINGS = 100;

/** pcapng Decryption Secrets Block type of an NSS key log ('TLSK'). */
/** The other Decryption Secrets Block types the pcapng specification registers, named in the warning. */
const DSB_TYPE_NAMES: Readonly<Record<number, string>> = {
  0x57474b4c: 'WireGuard key log',
  0x5a4e574b: 'ZigBee NWK key',
  0x5a415053: 'ZigBee APS key',
  0x55414b4c: 'OPC UA key log',
};

export const DSB_TLS_KEY_LOG = 0x544c534b;

type SecretField = Exclude<keyof ConnectionSecrets, 'clientRandom'>;

/**
 * NSS key log labels → where the secret goes and the lengths it may have (48 for TLS 1.2, hash sizes for 1.3).
 * A Map, not an object literal: a line starting with "toString" or "constructor" must not find a label.
 */
const LABELS: ReadonlyMap<string, { field: SecretField; lengths: readonly number[] }> = new Map([
  ['CLIENT_RANDOM', { field: 'masterSecret', lengths: [48] }],
  ['CLIENT_EARLY_TRAFFIC_SECRET', { field: 'clientEarlyTrafficSecret', lengths: [32, 48] }],
  ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', { field: 'clientHandshakeTrafficSecret', lengths: [32, 48] }],
  ['SERVER_HANDSHAKE_TRAFFIC_SECRET', { field: 'serverHandshakeTrafficSecret', lengths: [32, 48] }],
  ['CLIENT_TRAFFIC_SECRET_0', { field: 'clientTrafficSecret0', lengths: [32, 48] }],
  ['SERVER_TRAFFIC_SECRET_0', { field: 'serverTrafficSecret0', lengths: [32, 48] }],
  ['EXPORTER_SECRET', { field: 'exporterSecret', lengths: [32, 48] }],
  ['EARLY_EXPORTER_SECRET', { field: 'earlyExporterSecret', lengths: [32, 48] }],
] as const);

const CLIENT_RANDOM_LENGTH = 32;
/** Bytes read from a key log file at a time. */
const READ_CHUNK_LENGTH = 1024 * 1024;

/**
 * Secrets from NSS key log files (SSLKEYLOGFILE) and pcapng Decryption Secrets Blocks, by client random.
 * Several sources merge into one log. Nothing here prints a secret: warnings name the line and the label
 * only, and inspecting or serialising a KeyLog shows the number of connections, not its contents.
 */
export class KeyLog {
  /** In the order first seen, so the oldest is the first key when the cap makes room. */
  private readonly byRandom = new Map<string, ConnectionSecrets>();

  /** Number of connections (distinct client randoms) with at least one secret. */
  get size(): number {
    return this.byRandom.size;
  }

  /** The secrets for a ClientHello random; the object is the log's own, not to be changed. */
  secretsFor(clientRandom: Uint8Array): Readonly<ConnectionSecrets> | undefined {
    if (clientRandom.length !== CLIENT_RANDOM_LENGTH) return undefined;
    return this.byRandom.get(toHex(clientRandom));
  }

  has(clientRandom: Uint8Array): boolean {
    return this.secretsFor(clientRandom) !== undefined;
  }

  /** Adds the lines of one key log text. Returns its warnings (malformed lines, limits reached). */
  addText(text: string, source?: string): KeyLogWarning[] {
    const warnings = new KeyLogWarnings(source);
    this.readText(text, warnings);
    return warnings.finish();
  }

  /** Adds the lines of one key log text, its warnings going to a list the caller may share between texts. */
  readText(text: string, warnings: KeyLogWarnings, source?: string): void {
    this.readBytes(Buffer.from(text, 'utf8'), warnings, source);
  }

  /**
   * Reads a key log file (or pipe) as a stream, line by line: any size, memory bounded by
   * MAX_KEY_LOG_CONNECTIONS and one line, not by the file. Rejects only when the file cannot be read; the
   * lines read before such an error stay added.
   */
  async addFile(path: string, source: string = path): Promise<KeyLogWarning[]> {
    const warnings = new KeyLogWarnings(source);
    const lines = this.lineReader(warnings, source);
    // One reused buffer, read at the current position (a pipe or /dev/stdin has no other position).
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.allocUnsafe(READ_CHUNK_LENGTH);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        lines.push(buffer.subarray(0, bytesRead));
      }
    } finally {
      await handle.close();
    }
    lines.end();
    return warnings.finish();
  }

  private readBytes(bytes: Uint8Array, warnings: KeyLogWarnings, source: string | undefined): void {
    const lines = this.lineReader(warnings, source);
    lines.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    lines.end();
  }

  private lineReader(warnings: KeyLogWarnings, source: string | undefined): LineReader {
    return new LineReader(
      (text, line) => this.addLine(text, line, warnings, source),
      (line) => warnings.add(line, `line is longer than ${MAX_KEY_LOG_LINE_LENGTH} characters; skipped`, source),
    );
  }

  /** Adds a pcapng Decryption Secrets Block; only TLS key logs ('TLSK') are understood. */
  addDecryptionSecrets(block: { secretsType: number; data: Uint8Array }, source?: string): KeyLogWarning[] {
    const warnings = new KeyLogWarnings(source);
    this.readDecryptionSecrets(block, warnings, source);
    return warnings.finish();
  }

  /**
   * Adds a pcapng Decryption Secrets Block, its warnings going to `warnings`: one list per capture file, so a
   * file of millions of blocks lists MAX_KEY_LOG_WARNINGS of them and counts the rest.
   */
  readDecryptionSecrets(block: { secretsType: number; data: Uint8Array }, warnings: KeyLogWarnings, source?: string): void {
    if (block.secretsType !== DSB_TLS_KEY_LOG) {
      const type = `0x${block.secretsType.toString(16).padStart(8, '0')}`;
      const name = DSB_TYPE_NAMES[block.secretsType];
      const what = name === undefined ? `of type ${type}` : `of type ${type} (${name})`;
      warnings.add(0, `decryption secrets ${what} are not a TLS key log; ignored`, source);
      return;
    }
    this.readBytes(block.data, warnings, source);
  }

  /** Copies another log's secrets into this one (the first value seen for a secret is kept). */
  merge(other: KeyLog, source?: string): KeyLogWarning[] {
    const warnings = new KeyLogWarnings(source);
    for (const [randomHex, secrets] of other.byRandom) {
      for (const field of Object.keys(secrets) as Array<keyof ConnectionSecrets>) {
        if (field === 'clientRandom') continue;
        const value = secrets[field];
        if (value !== undefined) this.store(randomHex, secrets.clientRandom, field, value, 0, field, warnings);
      }
    }
    return warnings.finish();
  }

  [inspect.custom](): string {
    return `KeyLog { connections: ${this.size} }`;
  }

  toJSON(): { connections: number } {
    return { connections: this.size };
  }

  private addLine(raw: string, line: number, warnings: KeyLogWarnings, source: string | undefined): void {
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    const fields = text.split(/[ \t]+/);
    const label = fields[0]!;
    const spec = LABELS.get(label);
    // Unknown labels (RSA, future ones, DTLS/QUIC variants) are skipped without a word, as NSS tools do.
    if (spec === undefined) return;
    if (fields.length !== 3) {
      warnings.add(line, `${label}: expected 3 fields (label, client random, secret), found ${fields.length}; skipped`, source);
      return;
    }
    const clientRandom = parseHex(fields[1]!);
    if (clientRandom === null || clientRandom.length !== CLIENT_RANDOM_LENGTH) {
      warnings.add(line, `${label}: the client random is not ${CLIENT_RANDOM_LENGTH * 2} hex digits; skipped`, source);
      return;
    }
    const secret = parseHex(fields[2]!);
    if (secret === null) {
      warnings.add(line, `${label}: the secret is not valid hex; skipped`, source);
      return;
    }
    if (!spec.lengths.includes(secret.length)) {
      const expected = spec.lengths.map((n) => `${n}`).join(' or ');
      warnings.add(line, `${label}: the secret is ${secret.length} bytes, expected ${expected}; skipped`, source);
      return;
    }
    this.store(toHex(clientRandom), clientRandom, spec.field, secret, line, label, warnings, source);
  }

  private store(
    randomHex: string,
    clientRandom: Uint8Array,
    field: SecretField,
    secret: Uint8Array,
    line: number,
    label: string,
    warnings: KeyLogWarnings,
    source?: string,
  ): void {
    let entry = this.byRandom.get(randomHex);
    if (entry === undefined) {
      if (this.byRandom.size >= MAX_KEY_LOG_CONNECTIONS) {
        this.byRandom.delete(this.byRandom.keys().next().value!);
        warnings.dropped();
      }
      entry = { clientRandom: Uint8Array.from(clientRandom) };
      this.byRandom.set(randomHex, entry);
    }
    const existing = entry[field];
    if (existing === undefined) {
      entry[field] = Uint8Array.from(secret);
    } else if (!sameBytes(existing, secret)) {
      warnings.add(line, `${label}: a different secret for this client random was loaded before; keeping the first`, source);
    }
  }
}

/** Parses one key log text into a new KeyLog. */
export function parseKeyLog(text: string, source?: string): { keyLog: KeyLog; warnings: KeyLogWarning[] } {
  const keyLog = new KeyLog();
  const warnings = keyLog.addText(text, source);
  return { keyLog, warnings };
}

/**
 * The warnings of one source (a key log file, or every secrets block of one capture file): the first
 * MAX_KEY_LOG_WARNINGS listed, the rest counted in one last warning, so no input can grow the list.
 */
export class KeyLogWarnings {
  private list: KeyLogWarning[] = [];
  private notListed = 0;
  private droppedConnections = 0;

  constructor(private readonly source: string | undefined) {}

  add(line: number, message: string, source = this.source): void {
    if (this.list.length < MAX_KEY_LOG_WARNINGS) this.list.push(withSource({ line, message }, source));
    else this.notListed++;
  }

  /** The log was full: its oldest connection made room for a new one (told once, with the count, at the end). */
  dropped(): void {
    this.droppedConnections++;
  }

  /** The warnings so far, the counts of dropped connections and of warnings not listed last; then empty again. */
  finish(): KeyLogWarning[] {
    if (this.droppedConnections > 0) {
      const message = `more than ${MAX_KEY_LOG_CONNECTIONS} connections (the limit): the secrets of the ${this.droppedConnections} oldest were dropped, the newest kept`;
      this.list.push(withSource({ line: 0, message }, this.source));
      this.droppedConnections = 0;
    }
    if (this.notListed > 0) {
      this.list.push(withSource({ line: 0, message: `${this.notListed} more warnings not listed` }, this.source));
      this.notListed = 0;
    }
    const list = this.list;
    this.list = [];
    return list;
  }
}

/**
 * Splits bytes that come in chunks into lines ('\n'; a '\r' before it is trimmed with the other blanks), keeping
 * at most one line of MAX_KEY_LOG_LINE_LENGTH bytes between chunks: a longer line is skipped as it streams past,
 * never gathered (a key log of one 600 MiB line costs 1 KiB).
 */
class LineReader {
  private readonly carry = Buffer.alloc(MAX_KEY_LOG_LINE_LENGTH);
  private carried = 0;
  private tooLong = false;
  private line = 0;
  private open = false;

  constructor(
    private readonly onLine: (text: string, line: number) => void,
    private readonly onTooLong: (line: number) => void,
  ) {}

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      const newline = chunk.indexOf(0x0a, at);
      const end = newline < 0 ? chunk.length : newline;
      this.open = true;
      if (!this.tooLong) {
        if (this.carried + end - at > MAX_KEY_LOG_LINE_LENGTH) {
          this.tooLong = true;
          this.carried = 0;
        } else if (newline >= 0 && this.carried === 0) {
          this.line++;
          this.open = false;
          this.onLine(chunk.toString('utf8', at, end), this.line);
          at = newline + 1;
          continue;
        } else {
          chunk.copy(this.carry, this.carried, at, end);
          this.carried += end - at;
        }
      }
      if (newline < 0) return;
      this.endLine();
      at = newline + 1;
    }
  }

  /** The input is over: a last line without a newline still counts. */
  end(): void {
    if (this.open) this.endLine();
  }

  private endLine(): void {
    this.line++;
    this.open = false;
    if (this.tooLong) {
      this.tooLong = false;
      this.onTooLong(this.line);
    } else {
      const text = this.carry.toString('utf8', 0, this.carried);
      this.carried = 0;
      this.onLine(text, this.line);
    }
  }
}

function withSource(warning: KeyLogWarning, source: string | undefined): KeyLogWarning {
  return source === undefined ? warning : { ...warning, source };
}
