import { inspect } from 'node:util';
import { parseHex, toHex } from './hex.js';
import type { ConnectionSecrets, KeyLogWarning } from './types.js';

/** Distinct connections (client randoms) one KeyLog holds; about 400 bytes each, so ~40 MB at the cap. */
export const MAX_KEY_LOG_CONNECTIONS = 100_000;
/** Lines read from one source text; the rest is skipped with a warning. */
export const MAX_KEY_LOG_LINES = 1_000_000;
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

/**
 * Secrets from NSS key log files (SSLKEYLOGFILE) and pcapng Decryption Secrets Blocks, by client random.
 * Several sources merge into one log. Nothing here prints a secret: warnings name the line and the label
 * only, and inspecting or serialising a KeyLog shows the number of connections, not its contents.
 */
export class KeyLog {
  private readonly byRandom = new Map<string, ConnectionSecrets>();
  private capWarned = false;

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
    const warnings = new WarningList(source);
    let lineStart = 0;
    let lineNumber = 0;
    while (lineStart < text.length) {
      let lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd < 0) lineEnd = text.length;
      lineNumber++;
      if (lineNumber > MAX_KEY_LOG_LINES) {
        warnings.add(0, `stopped after ${MAX_KEY_LOG_LINES} lines (the limit); the rest of the key log was not read`);
        break;
      }
      if (lineEnd - lineStart > MAX_KEY_LOG_LINE_LENGTH) {
        warnings.add(lineNumber, `line is longer than ${MAX_KEY_LOG_LINE_LENGTH} characters; skipped`);
      } else {
        this.addLine(text.slice(lineStart, lineEnd), lineNumber, warnings);
      }
      lineStart = lineEnd + 1;
    }
    return warnings.finish();
  }

  /** Adds a pcapng Decryption Secrets Block; only TLS key logs ('TLSK') are understood. */
  addDecryptionSecrets(block: { secretsType: number; data: Uint8Array }, source?: string): KeyLogWarning[] {
    if (block.secretsType !== DSB_TLS_KEY_LOG) {
      const type = `0x${block.secretsType.toString(16).padStart(8, '0')}`;
      const name = DSB_TYPE_NAMES[block.secretsType];
      const what = name === undefined ? `of type ${type}` : `of type ${type} (${name})`;
      return [withSource({ line: 0, message: `decryption secrets ${what} are not a TLS key log; ignored` }, source)];
    }
    return this.addText(new TextDecoder('utf-8').decode(block.data), source);
  }

  /** Copies another log's secrets into this one (the first value seen for a secret is kept). */
  merge(other: KeyLog, source?: string): KeyLogWarning[] {
    const warnings = new WarningList(source);
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

  private addLine(raw: string, line: number, warnings: WarningList): void {
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    const fields = text.split(/[ \t]+/);
    const label = fields[0]!;
    const spec = LABELS.get(label);
    // Unknown labels (RSA, future ones, DTLS/QUIC variants) are skipped without a word, as NSS tools do.
    if (spec === undefined) return;
    if (fields.length !== 3) {
      warnings.add(line, `${label}: expected 3 fields (label, client random, secret), found ${fields.length}; skipped`);
      return;
    }
    const clientRandom = parseHex(fields[1]!);
    if (clientRandom === null || clientRandom.length !== CLIENT_RANDOM_LENGTH) {
      warnings.add(line, `${label}: the client random is not ${CLIENT_RANDOM_LENGTH * 2} hex digits; skipped`);
      return;
    }
    const secret = parseHex(fields[2]!);
    if (secret === null) {
      warnings.add(line, `${label}: the secret is not valid hex; skipped`);
      return;
    }
    if (!spec.lengths.includes(secret.length)) {
      const expected = spec.lengths.map((n) => `${n}`).join(' or ');
      warnings.add(line, `${label}: the secret is ${secret.length} bytes, expected ${expected}; skipped`);
      return;
    }
    this.store(toHex(clientRandom), clientRandom, spec.field, secret, line, label, warnings);
  }

  private store(
    randomHex: string,
    clientRandom: Uint8Array,
    field: SecretField,
    secret: Uint8Array,
    line: number,
    label: string,
    warnings: WarningList,
  ): void {
    let entry = this.byRandom.get(randomHex);
    if (entry === undefined) {
      if (this.byRandom.size >= MAX_KEY_LOG_CONNECTIONS) {
        if (!this.capWarned) {
          this.capWarned = true;
          warnings.add(line, `key log holds the limit of ${MAX_KEY_LOG_CONNECTIONS} connections; secrets for further connections are ignored`);
        }
        return;
      }
      entry = { clientRandom: Uint8Array.from(clientRandom) };
      this.byRandom.set(randomHex, entry);
    }
    const existing = entry[field];
    if (existing === undefined) {
      entry[field] = Uint8Array.from(secret);
    } else if (!sameBytes(existing, secret)) {
      warnings.add(line, `${label}: a different secret for this client random was loaded before; keeping the first`);
    }
  }
}

/** Parses one key log text into a new KeyLog. */
export function parseKeyLog(text: string, source?: string): { keyLog: KeyLog; warnings: KeyLogWarning[] } {
  const keyLog = new KeyLog();
  const warnings = keyLog.addText(text, source);
  return { keyLog, warnings };
}

class WarningList {
  private readonly list: KeyLogWarning[] = [];
  private dropped = 0;

  constructor(private readonly source: string | undefined) {}

  add(line: number, message: string): void {
    if (this.list.length < MAX_KEY_LOG_WARNINGS) this.list.push(withSource({ line, message }, this.source));
    else this.dropped++;
  }

  finish(): KeyLogWarning[] {
    if (this.dropped > 0) {
      this.list.push(withSource({ line: 0, message: `${this.dropped} more warnings not listed` }, this.source));
      this.dropped = 0;
    }
    return this.list;
  }
}

function withSource(warning: KeyLogWarning, source: string | undefined): KeyLogWarning {
  return source === undefined ? warning : { ...warning, source };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
