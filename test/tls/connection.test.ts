import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { streamConnections } from '../../src/tcp/streams.js';
import { TlsConnectionTracker, type TlsConnection } from '../../src/tls/connection.js';
import { createKeyProvider, KeyLog } from '../../src/tls/decrypt/index.js';
import type { TlsEvent } from '../../src/tls/events.js';
import type { Protection } from '../../src/tls/protection.js';

interface Tracked {
  connection: TlsConnection;
  client: Protection['state'] | null;
  server: Protection['state'] | null;
}

/** The TCP stage feeding TlsConnectionTracker, as analyze() wires them, over a capture of captures/. */
async function track(capture: string, keyLog?: string): Promise<Tracked[]> {
  const keys = new KeyLog();
  if (keyLog !== undefined) await keys.addFile(keyLog);
  const provider = createKeyProvider(keys);
  const finished: Tracked[] = [];
  await streamConnections(new Uint8Array(readFileSync(capture)), {
    open: (info, control) => {
      const tracker: TlsConnectionTracker = new TlsConnectionTracker(info, control, provider, (connection) =>
        finished.push({ connection, client: tracker.protection('client')?.state ?? null, server: tracker.protection('server')?.state ?? null }),
      );
      return tracker;
    },
  });
  return finished.filter((t) => t.connection.detection === 'tls');
}

async function only(capture: string, keyLog?: string): Promise<Tracked> {
  const tracked = await track(capture, keyLog);
  expect(tracked).toHaveLength(1);
  return tracked[0]!;
}

/** Each event as `side kind detail`, the detail saying what the kind carries. */
function lines(events: readonly TlsEvent[]): string[] {
  return events.map((e) => {
    switch (e.kind) {
      case 'handshake':
        return `${e.side} ${e.message.type}${e.decrypted ? ' decrypted' : ''}`;
      case 'application-data':
        return `${e.side} ${e.early ? 'early-data' : 'application-data'}${e.decrypted ? ` decrypted "${e.firstLine}"` : ''}`;
      case 'encrypted-record':
        return `${e.side} encrypted-record ${e.length}${e.probableFinished ? ' finished' : ''}`;
      case 'encrypted-alert':
        return `${e.side} encrypted-alert by ${e.shownBy}`;
      case 'alert':
        return `${e.side} alert ${e.level}/${e.description}${e.decrypted ? ' decrypted' : ''}`;
      case 'close':
        return `${e.side} ${e.closeKind}`;
      default:
        return `${e.side} ${e.kind}`;
    }
  });
}

describe('TlsConnectionTracker on real captures', () => {
  const tls12 = 'captures/server/tls12-aes128-gcm-http.pcap';

  it('TLS 1.2 with its key log: each side switches to its keys at its ChangeCipherSpec and everything after reads', async () => {
    const { connection, client, server } = await only(tls12, 'captures/server/tls12-aes128-gcm-http.keys.log');
    expect(connection.version).toBe(0x0303);
    expect(connection.keysFrom).toBe('key-log');
    expect(connection.keyMismatch).toBeNull();
    expect(lines(connection.events)).toEqual([
      'client ClientHello',
      'server ServerHello',
      'server Certificate',
      'server ServerKeyExchange',
      'server ServerHelloDone',
      'client ClientKeyExchange',
      'client change-cipher-spec',
      'client Finished decrypted',
      'server change-cipher-spec',
      'server Finished decrypted',
      'client application-data decrypted "GET /hello.txt HTTP/1.1"',
      'server application-data decrypted "HTTP/1.0 200 ok"',
      'server alert 1/0 decrypted',
      'client alert 1/0 decrypted',
      'server fin',
      'client fin',
    ]);
    expect([client, server]).toEqual(['keys', 'keys']);
    expect(connection.applicationTurns).toBe(2);
    expect(connection.applicationBytes).toEqual({ client: 88, server: 80 });
  });

  it('the same TLS 1.2 capture without keys: Finished told by its place, close_notify by its record type, both sides opaque', async () => {
    const { connection, client, server } = await only(tls12);
    expect(connection.keysFound).toBe(false);
    expect(lines(connection.events).slice(6)).toEqual([
      'client change-cipher-spec',
      'client encrypted-record 40 finished',
      'server change-cipher-spec',
      'server encrypted-record 40 finished',
      'client application-data',
      'server application-data',
      'server encrypted-alert by content-type',
      'client encrypted-alert by content-type',
      'server fin',
      'client fin',
    ]);
    expect([client, server]).toEqual(['opaque', 'opaque']);
    // Without keys the records' full lengths (tag and explicit nonce included) are counted.
    expect(connection.applicationBytes).toEqual({ client: 112, server: 104 });
  });

  it('TLS 1.3 without keys: opaque from the ServerHello on; a record of an alert\'s size is an encrypted alert', async () => {
    const { connection, client, server } = await only('captures/server/tls13-no-client-cert.pcap');
    expect(connection.version).toBe(0x0304);
    expect([client, server]).toEqual(['opaque', 'opaque']);
    const tail = lines(connection.events).slice(-3);
    expect(tail).toEqual(['server encrypted-alert by size', 'client fin', 'server fin']);
    expect(connection.events.filter((e) => e.kind === 'encrypted-record' && e.probableFinished)).toEqual([]);
  });

  it('TLS 1.3 with a key log whose secrets do not fit: one key mismatch, then both sides opaque', async () => {
    const { connection, client, server } = await only('captures/server/tls13-keylog-secrets-mismatch.pcap', 'captures/server/tls13-keylog-secrets-mismatch.keys.log');
    expect(connection.keysFrom).toBe('key-log');
    expect(connection.keyMismatch).toEqual({ side: 'server', frame: 6, reason: 'bad-record-mac' });
    expect([client, server]).toEqual(['opaque', 'opaque']);
    expect(connection.events.some((e) => e.kind === 'handshake' && e.decrypted)).toBe(false);
  });

  it('STARTTLS (SMTP): TLS found after the plaintext, the upgrade named, the TLS 1.3 handshake decrypted', async () => {
    const { connection, client, server } = await only('captures/starttls/smtp-starttls-tls13.pcap', 'captures/starttls/smtp-starttls-tls13.keys.log');
    expect(connection.upgradedFrom).toBe('smtp');
    expect(connection.upgradeRefused).toBeNull();
    expect(connection.clientDirection).toBe(0);
    expect(lines(connection.events).slice(0, 4)).toEqual(['client ClientHello', 'server ServerHello', 'server change-cipher-spec', 'server EncryptedExtensions decrypted']);
    expect(connection.events[0]!.frame).toBe(11);
    expect([client, server]).toEqual(['keys', 'keys']);
  });

  it('STARTTLS refused (SMTP 454): a TLS connection whose refusal is kept, the client\'s ClientHello sent anyway', async () => {
    const { connection, client, server } = await only('captures/starttls/smtp-starttls-454.pcap');
    expect(connection.upgradedFrom).toBe('smtp');
    expect(connection.upgradeRefused).toMatchObject({ command: 'STARTTLS', reply: '454 4.7.0 TLS not available due to local problem', frame: 10 });
    expect(connection.serverHello).toBeNull();
    expect([client, server]).toEqual(['plain', 'plain']);
  });

  it('a HelloRetryRequest (PostgreSQL SSLRequest, TLS 1.3): the middlebox ChangeCipherSpecs change no keys, the second ClientHello is read', async () => {
    const { connection, client, server } = await only('captures/starttls/postgres-tls13-s-client.pcap', 'captures/starttls/postgres-tls13-s-client.keys.log');
    expect(connection.upgradedFrom).toBe('postgres');
    expect(lines(connection.events).slice(0, 7)).toEqual([
      'client ClientHello',
      'server HelloRetryRequest',
      'server change-cipher-spec',
      'client change-cipher-spec',
      'client ClientHello',
      'server ServerHello',
      'server EncryptedExtensions decrypted',
    ]);
    expect(connection.serverHello?.type).toBe('ServerHello');
    // The connection's ClientHello stays the first one (the one the fingerprints describe).
    const first = connection.events[0]!;
    expect(connection.clientHello).toBe(first.kind === 'handshake' ? first.message : null);
    expect([client, server]).toEqual(['keys', 'keys']);
  });

  it('TLS 1.3 0-RTT accepted: the early record shown as early data, EndOfEarlyData read with the early keys, then handshake keys', async () => {
    const tracked = await track('captures/server/tls13-early-data.pcap', 'captures/server/tls13-early-data.keys.log');
    const resumed = tracked.find((t) => t.connection.events.some((e) => e.kind === 'application-data' && e.early));
    expect(resumed).toBeDefined();
    const { connection, client, server } = resumed!;
    expect(lines(connection.events).slice(0, 9)).toEqual([
      'client ClientHello',
      'client change-cipher-spec',
      'client early-data',
      'server ServerHello',
      'server change-cipher-spec',
      'server EncryptedExtensions decrypted',
      'server Finished decrypted',
      'client EndOfEarlyData decrypted',
      'client Finished decrypted',
    ]);
    expect(connection.applicationBytes.client).toBe(44);
    expect([client, server]).toEqual(['keys', 'keys']);
  });
});
