/**
 * Walks both directions of a recorded TLS connection record by record and decrypts what is encrypted with a
 * KeyProvider, switching keys where the protocol does (ChangeCipherSpec, Finished, KeyUpdate). Deliberately
 * independent of src/tls/connection.ts: these tests check the decryptors, not the driver.
 */
import type { Tls13KeySchedule } from '../../../src/tls/decrypt/index.js';
import type { KeyProvider, RecordDecryptor, Tls13Keys } from '../../../src/tls/keys.js';

export interface RawRecord {
  type: number;
  header: Uint8Array;
  fragment: Uint8Array;
}

/** Splits a byte stream at its 5-byte record headers; a trailing partial record is returned apart. */
export function splitRecords(bytes: Uint8Array): { records: RawRecord[]; rest: Uint8Array } {
  const records: RawRecord[] = [];
  let at = 0;
  while (at + 5 <= bytes.length) {
    const length = (bytes[at + 3]! << 8) | bytes[at + 4]!;
    if (at + 5 + length > bytes.length) break;
    records.push({ type: bytes[at]!, header: bytes.subarray(at, at + 5), fragment: bytes.subarray(at + 5, at + 5 + length) });
    at += 5 + length;
  }
  return { records, rest: bytes.subarray(at) };
}

export interface HelloFacts {
  clientRandom: Uint8Array;
  serverRandom: Uint8Array;
  cipherSuite: number;
  /** Negotiated version (supported_versions for TLS 1.3). */
  version: number;
  /** Both hellos carry encrypt_then_mac. */
  encryptThenMac: boolean;
}

function helloBody(records: RawRecord[], expectedType: number): Uint8Array {
  const first = records[0];
  if (first === undefined || first.type !== 22 || first.fragment[0] !== expectedType) throw new Error(`expected hello type ${expectedType} first`);
  // Hellos in these tests fit one record; the body follows the 4-byte handshake header.
  return first.fragment.subarray(4);
}

/** Extension types → data, from a hello's extension block starting at `at`. */
function extensions(body: Uint8Array, at: number): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  if (at + 2 > body.length) return out;
  const end = at + 2 + ((body[at]! << 8) | body[at + 1]!);
  at += 2;
  while (at + 4 <= end) {
    const type = (body[at]! << 8) | body[at + 1]!;
    const length = (body[at + 2]! << 8) | body[at + 3]!;
    out.set(type, body.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return out;
}

export function helloFacts(client: RawRecord[], server: RawRecord[]): HelloFacts {
  const ch = helloBody(client, 1);
  const sh = helloBody(server, 2);
  const clientRandom = ch.subarray(2, 34);
  let at = 34;
  at += 1 + ch[at]!; // session id
  at += 2 + ((ch[at]! << 8) | ch[at + 1]!); // cipher suites
  at += 1 + ch[at]!; // compression methods
  const clientExtensions = extensions(ch, at);
  const serverRandom = sh.subarray(2, 34);
  at = 34;
  at += 1 + sh[at]!;
  const cipherSuite = (sh[at]! << 8) | sh[at + 1]!;
  at += 3;
  const serverExtensions = extensions(sh, at);
  const supported = serverExtensions.get(43);
  const version = supported !== undefined ? (supported[0]! << 8) | supported[1]! : (sh[0]! << 8) | sh[1]!;
  return { clientRandom, serverRandom, cipherSuite, version, encryptThenMac: clientExtensions.has(22) && serverExtensions.has(22) };
}

export interface DecryptedRecord {
  type: number;
  content: Uint8Array;
}

export interface SideResult {
  /** Content of every record decrypted, in order, with its real content type. */
  decrypted: DecryptedRecord[];
  /** Failures: the record index in this direction and the decryptor's reason. */
  failures: Array<{ index: number; reason: string; message: string }>;
  /** Records that were encrypted (and so were handed to a decryptor or had none). */
  encryptedCount: number;
  /** Handshake message types seen in decrypted records, in order. */
  handshakeTypes: number[];
  applicationData: Buffer;
  keyUpdates: number;
}

const KEY_UPDATE = 24;
const END_OF_EARLY_DATA = 5;
const FINISHED = 20;

/** Splits decrypted handshake content into message types, carrying partial messages across records. */
class HandshakeMessages {
  private pending = new Uint8Array(0);
  push(content: Uint8Array): Array<{ type: number; body: Uint8Array }> {
    const joined = new Uint8Array(this.pending.length + content.length);
    joined.set(this.pending);
    joined.set(content, this.pending.length);
    const out: Array<{ type: number; body: Uint8Array }> = [];
    let at = 0;
    while (at + 4 <= joined.length) {
      const length = (joined[at + 1]! << 16) | (joined[at + 2]! << 8) | joined[at + 3]!;
      if (at + 4 + length > joined.length) break;
      out.push({ type: joined[at]!, body: joined.subarray(at + 4, at + 4 + length) });
      at += 4 + length;
    }
    this.pending = joined.slice(at);
    return out;
  }
}

function emptySide(): SideResult {
  return { decrypted: [], failures: [], encryptedCount: 0, handshakeTypes: [], applicationData: Buffer.alloc(0), keyUpdates: 0 };
}

function record(side: SideResult, index: number, decryptor: RecordDecryptor | null, r: RawRecord): DecryptedRecord | null {
  side.encryptedCount++;
  if (decryptor === null) {
    side.failures.push({ index, reason: 'no-decryptor', message: 'no decryptor' });
    return null;
  }
  const result = decryptor.decrypt(r.header, r.fragment);
  if (!result.ok) {
    side.failures.push({ index, reason: result.reason, message: (result as { message?: string }).message ?? '' });
    return null;
  }
  const out = { type: result.contentType, content: result.content };
  side.decrypted.push(out);
  return out;
}

export interface TranscriptResult {
  facts: HelloFacts;
  client: SideResult;
  server: SideResult;
}

/**
 * Decrypts a whole recorded connection. Returns null keys as failures ('no-decryptor'), so a wrong key log
 * shows up as failures rather than a throw.
 */
export function decryptTranscript(
  clientBytes: Uint8Array,
  serverBytes: Uint8Array,
  provider: KeyProvider,
  options: { earlyData?: boolean } = {},
): TranscriptResult {
  const client = splitRecords(clientBytes).records;
  const server = splitRecords(serverBytes).records;
  const facts = helloFacts(client, server);
  const result = { facts, client: emptySide(), server: emptySide() };
  if (facts.version === 0x0304) {
    const keys = provider.tls13(facts.clientRandom, facts.cipherSuite);
    walkTls13('client', client, keys, result.client, options.earlyData ?? false);
    walkTls13('server', server, keys, result.server, false);
  } else {
    const keys = provider.tls12({ ...facts });
    walkTls12(client, keys?.client ?? null, result.client);
    walkTls12(server, keys?.server ?? null, result.server);
  }
  for (const side of [result.client, result.server]) {
    side.applicationData = Buffer.concat(side.decrypted.filter((d) => d.type === 23).map((d) => d.content));
  }
  return result;
}

function walkTls13(sideName: 'client' | 'server', records: RawRecord[], keys: Tls13Keys | null, side: SideResult, earlyData: boolean): void {
  const handshake = keys === null ? null : sideName === 'client' ? keys.clientHandshake : keys.serverHandshake;
  // createKeyProvider's TLS 1.3 keys are a Tls13KeySchedule, which also holds the 0-RTT decryptor.
  let decryptor: RecordDecryptor | null = earlyData ? ((keys as Tls13KeySchedule | null)?.clientEarly(0) ?? null) : handshake;
  const messages = new HandshakeMessages();
  records.forEach((r, index) => {
    // Plaintext hellos and the middlebox-compatibility ChangeCipherSpec are not encrypted.
    if (r.type !== 23) return;
    const out = record(side, index, decryptor, r);
    if (out === null || out.type !== 22) return;
    for (const message of messages.push(out.content)) {
      side.handshakeTypes.push(message.type);
      if (message.type === END_OF_EARLY_DATA) {
        decryptor = handshake;
      } else if (message.type === FINISHED) {
        decryptor = keys === null ? null : sideName === 'client' ? keys.clientApplication : keys.serverApplication;
      } else if (message.type === KEY_UPDATE) {
        side.keyUpdates++;
        decryptor = keys?.nextApplication(sideName) ?? null;
      }
    }
  });
}

function walkTls12(records: RawRecord[], keys: RecordDecryptor | null, side: SideResult): void {
  let encrypted = false;
  const messages = new HandshakeMessages();
  records.forEach((r, index) => {
    if (r.type === 20 && !encrypted) {
      encrypted = true;
      return;
    }
    if (!encrypted) return;
    const out = record(side, index, keys, r);
    if (out !== null && out.type === 22) for (const message of messages.push(out.content)) side.handshakeTypes.push(message.type);
  });
}
