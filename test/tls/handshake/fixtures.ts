import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ParseContext } from '../../../src/tls/handshake/types.js';
import { repoPath } from '../../repo.js';

/** One real handshake message pulled out of a real capture by scripts/extract-handshake-fixtures.sh. */
export interface FixtureMessage {
  /** '<fixture file>#frame <n>' for failure messages. */
  where: string;
  source: string;
  frame: number;
  stream: number;
  src: string;
  dst: string;
  srcport: string;
  dstport: string;
  fromServer: boolean;
  msgType: number;
  /** Body without the 4-byte handshake header. */
  body: Uint8Array;
  /** The whole message as tshark reassembled it. */
  message: Uint8Array;
  context: ParseContext;
  tshark: Record<string, string[]>;
  /** SSLv2-compatible ClientHello: the whole SSLv2 record (then `body` and `message` are empty). */
  sslv2Record?: Uint8Array;
}

export const FIXTURE_DIR = repoPath('test', 'fixtures', 'handshake');

/** The handshake messages of the fixtures (SSLv2-compatible hellos excluded: see loadSsl2Hellos). */
export function loadFixtureMessages(filter: (file: string) => boolean = () => true): FixtureMessage[] {
  return loadAll(filter).filter((m) => m.sslv2Record === undefined);
}

export function loadSsl2Hellos(): FixtureMessage[] {
  return loadAll(() => true).filter((m) => m.sslv2Record !== undefined);
}

function loadAll(filter: (file: string) => boolean): FixtureMessage[] {
  const messages: FixtureMessage[] = [];
  for (const file of readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.json') && filter(f)).sort()) {
    const fixture = JSON.parse(readFileSync(join(FIXTURE_DIR, file), 'utf8')) as {
      source: string;
      messages: Array<Omit<FixtureMessage, 'where' | 'source' | 'body' | 'message' | 'context'> & {
        hex: string;
        sslv2Record?: string;
        context: { version?: number | null; cipherSuite?: number | null };
      }>;
    };
    for (const m of fixture.messages) {
      const message = Uint8Array.from(Buffer.from(m.hex, 'hex'));
      const context: ParseContext = { isServer: m.fromServer };
      if (m.context.version != null) context.version = m.context.version;
      if (m.context.cipherSuite != null) context.cipherSuite = m.context.cipherSuite;
      const { sslv2Record, ...rest } = m;
      messages.push({
        ...rest,
        ...(sslv2Record !== undefined ? { sslv2Record: Uint8Array.from(Buffer.from(sslv2Record, 'hex')) } : {}),
        where: `${file}#frame ${m.frame}`,
        source: fixture.source,
        message,
        body: message.subarray(4),
        context,
      });
    }
  }
  return messages;
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
export const num = (value: string): number => (value.startsWith('0x') ? parseInt(value, 16) : Number(value));
export const nums = (values: string[] | undefined): number[] => (values ?? []).map(num);
