/**
 * Pre-RFC 8446 TLS 1.3 (drafts, Google's experiments, Facebook's drafts) on hand-built captures: no living peer
 * here speaks them (test/wire/old-wire-formats.ts says how the bytes are built and from which layouts).
 */
import { describe, expect, it } from 'vitest';
import { parseServerHello } from '../../../src/tls/handshake/server-hello.js';
import { KeyLog } from '../../../src/tls/decrypt/index.js';
import { isTls13, protocolOf, protocolVersionName, tls13Variant } from '../../../src/tls/registry/protocol-versions.js';
import { runPipeline } from '../../hostile/pipeline.js';
import { conversationCapture, draftConversation, draftServerHello } from '../../wire/old-wire-formats.js';

async function analyse(version: number, withKeys = false) {
  const conversation = draftConversation(version);
  const keys = new KeyLog();
  if (withKeys) keys.addText(conversation.keyLog);
  const { connections, json } = await runPipeline(conversationCapture(conversation.flights), keys);
  expect(connections).toHaveLength(1);
  return { report: connections[0]!, json };
}

describe('names of the TLS 1.3 drafts and experiments (Wireshark names)', () => {
  it.each([
    ['0x7f0e', 0x7f0e, 'TLS 1.3 (draft 14)'],
    ['0x7f12', 0x7f12, 'TLS 1.3 (draft 18)'],
    ['0x7f17', 0x7f17, 'TLS 1.3 (draft 23)'],
    ['0x7f1c', 0x7f1c, 'TLS 1.3 (draft 28)'],
    ['0xfb17', 0xfb17, 'TLS 1.3 (Facebook draft 23)'],
    ['0xfb1a', 0xfb1a, 'TLS 1.3 (Facebook draft 26)'],
    ['0x7e01', 0x7e01, 'TLS 1.3 (Google experiment 1)'],
    ['0x7e03', 0x7e03, 'TLS 1.3 (Google experiment 3)'],
  ])('%s is named, read as TLS 1.3', (_hex, version, name) => {
    expect(protocolVersionName(version)).toBe(name);
    expect(isTls13(version)).toBe(true);
    expect(protocolOf(version)).toBe(0x0304);
  });

  it('record protection per draft: label prefix before draft 20, header as additional data from draft 25', () => {
    expect(tls13Variant(0x7f12)).toEqual({ draft: 18, legacyServerHello: true, labelPrefix: 'TLS 1.3, ', headerIsAdditionalData: false });
    expect(tls13Variant(0x7f15)).toEqual({ draft: 21, legacyServerHello: true, labelPrefix: 'tls13 ', headerIsAdditionalData: false });
    expect(tls13Variant(0x7f17)).toEqual({ draft: 23, legacyServerHello: false, labelPrefix: 'tls13 ', headerIsAdditionalData: false });
    expect(tls13Variant(0x7f19)).toEqual({ draft: 25, legacyServerHello: false, labelPrefix: 'tls13 ', headerIsAdditionalData: true });
    expect(tls13Variant(0x7e02)).toEqual({ draft: 18, legacyServerHello: false, labelPrefix: 'TLS 1.3, ', headerIsAdditionalData: false });
    expect(tls13Variant(0x0304)).toBeNull();
    expect(tls13Variant(0x7f0d)).toBeNull();
    expect(isTls13(0x0303)).toBe(false);
  });
});

describe('ServerHello layouts', () => {
  it('draft 18: version field = 0x7f12, no session id echo, no compression method', () => {
    const message = draftServerHello(0x7f12, new Uint8Array(0));
    const hello = parseServerHello(message.subarray(4));
    expect(hello.legacyVersion).toBe(0x7f12);
    expect(hello.effectiveVersion).toBe(0x7f12);
    expect(hello.cipherSuite).toBe(0x1301);
    expect(hello.sessionId).toHaveLength(0);
    expect(hello.type).toBe('ServerHello');
    expect(hello.extensions.map((e) => e.type)).toEqual([40]);
  });

  it('draft 23: the RFC 8446 layout with supported_versions naming 0x7f17', () => {
    const sessionId = new Uint8Array(32).fill(9);
    const hello = parseServerHello(draftServerHello(0x7f17, sessionId).subarray(4));
    expect(hello.legacyVersion).toBe(0x0303);
    expect(hello.selectedVersion).toBe(0x7f17);
    expect(hello.effectiveVersion).toBe(0x7f17);
    expect(Array.from(hello.sessionId)).toEqual(Array.from(sessionId));
    expect(hello.keyShareGroup).toBe(0x001d);
  });
});

describe('a draft connection reads like a TLS 1.3 one', () => {
  // Application data flows both ways after the handshake: each is `established`.
  it.each([
    // Without keys TLS 1.3 shows encrypted records (q/Q) whatever they hold; drafts before 22 send no CCS (i/I).
    ['0x7f17', 0x7f17, 'TLS 1.3 (draft 23)', 'CsiqIQq'],
    ['0x7f12', 0x7f12, 'TLS 1.3 (draft 18)', 'CsqQq'],
    ['0x7e01', 0x7e01, 'TLS 1.3 (Google experiment 1)', 'CsiqIQq'],
    ['0xfb17', 0xfb17, 'TLS 1.3 (Facebook draft 23)', 'CsiqIQq'],
  ])('%s without a key log: named, encrypted handshake, encrypted records both ways', async (_hex, version, name, history) => {
    const { report } = await analyse(version);
    expect(report.version).toBe(name);
    expect(report.offeredVersions).toEqual([name, 'TLS 1.2']);
    expect(report.cipherSuite).toBe('TLS_AES_128_GCM_SHA256');
    expect(report.history).toBe(history);
    expect(report.encryptedHandshake).toBe(true);
    expect(report.established).toBe(true);
    expect(report.decrypted).toBe(false);
    expect(report.outcome).toBe('established');
    expect(report.timeline.some((e) => e.kind === 'ParseError')).toBe(false);
    // As for TLS 1.3 without keys, the records after the hellos are encrypted-handshake events, both ways.
    const encrypted = report.timeline.filter((e) => e.kind === 'EncryptedRecord');
    expect(new Set(encrypted.map((e) => e.from))).toEqual(new Set(['client', 'server']));
    // The TLS 1.3 advice about keys applies to drafts as to TLS 1.3.
    expect(report.findings.map((f) => f.id)).not.toContain('handshake-failed-unexplained');
  });
});

describe('decryption of the drafts with a key log', () => {
  it.each([
    ['0x7f17', 0x7f17, 'draft 23: "tls13 " labels, empty additional data'],
    ['0x7f1a', 0x7f1a, 'draft 26: RFC 8446 record protection'],
    ['0xfb17', 0xfb17, 'Facebook draft 23'],
    ['0x7f12', 0x7f12, 'draft 18: "TLS 1.3, " labels'],
    ['0x7e01', 0x7e01, 'Google experiment 1 (draft 18 underneath)'],
  ])('%s decrypts: every handshake message and the HTTP request read', async (_hex, version) => {
    const { report, json } = await analyse(version, true);
    expect(report.decrypted).toBe(true);
    expect(report.encryptedHandshake).toBe(false);
    // The client's CCS (I) comes after the server's flight, before the client's Finished.
    expect(report.history).toMatch(/^Cs(i)?oxyf(I)?FDd$/);
    expect(report.serverCertificates).toHaveLength(1);
    expect(report.serverCertificates![0]!.subject).toContain('CN=');
    expect(report.established).toBe(true);
    expect(report.outcome).toBe('established');
    expect(report.timeline.find((e) => e.kind === 'ApplicationData' && e.from === 'client')?.summary).toContain('GET / HTTP/1.1');
    expect(json).not.toContain('key-mismatch');
  });

  it('draft 23 records protected as RFC 8446 does (header as additional data) do not open: drafts before 25 are told apart', async () => {
    // The same secrets, but the ServerHello says RFC 8446's 0x7f1c: tlsdiag then expects the header as additional
    // data, while the records were built with draft 23's empty additional data — the keys do not fit.
    const conversation = draftConversation(0x7f17);
    const keys = new KeyLog();
    keys.addText(conversation.keyLog);
    const server = conversation.flights[1]!.bytes;
    // Patch the selected version in the ServerHello's supported_versions (its last two bytes) to draft 28.
    const helloLength = 5 + ((server[3]! << 8) | server[4]!);
    const patched = Uint8Array.from(server);
    expect(patched[helloLength - 2]).toBe(0x7f);
    patched[helloLength - 1] = 0x1c;
    const flights = [conversation.flights[0]!, { from: 'server' as const, bytes: patched }, ...conversation.flights.slice(2)];
    const { connections } = await runPipeline(conversationCapture(flights), keys);
    expect(connections[0]!.version).toBe('TLS 1.3 (draft 28)');
    expect(connections[0]!.decrypted).toBe(false);
  });
});

describe('a variant tlsdiag does not know', () => {
  it('a ServerHello with version 0x7f0d (draft 13) is not understood, with the version named', async () => {
    const conversation = draftConversation(0x7f12);
    const server = Uint8Array.from(conversation.flights[1]!.bytes);
    // record header 5 + handshake header 4: the ServerHello's version field.
    expect((server[9]! << 8) | server[10]!).toBe(0x7f12);
    server[10] = 0x0d;
    const flights = [conversation.flights[0]!, { from: 'server' as const, bytes: server }, ...conversation.flights.slice(2)];
    const { connections } = await runPipeline(conversationCapture(flights));
    expect(connections[0]!.outcome).toBe('not-understood');
    expect(connections[0]!.outcomeDetail).toMatch(/^ServerHello version 0x7f0d is a TLS variant tlsdiag does not know/);
  });
});
