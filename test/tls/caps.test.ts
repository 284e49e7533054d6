/**
 * tlsdiag's own limits are not the peers' faults: what goes past one is `notUnderstood` (with the limit named),
 * never a malformed message or a failed handshake. The lead's outcome for such a connection: `not-understood`.
 */
import { webcrypto } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { MAX_CERTIFICATES_PER_CHAIN } from '../../src/tls/handshake/limits.js';
import { MAX_HANDSHAKE_MESSAGE_LENGTH } from '../../src/tls/record/handshake-assembler.js';
import { DEFAULT_REASSEMBLY_OPTIONS } from '../../src/tcp/reassembler.js';
import { ACK, concat, handshakeMessage, handshakeRecords, pcapOf, PSH_ACK, SYN, tcpPacket, u16, u24 } from '../hostile/craft.js';
import { runPipeline } from '../hostile/pipeline.js';
import { clientHello, conversationCapture, leafCertificateDer, type Flight } from '../wire/old-wire-formats.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const TLS_RSA_WITH_AES_128_GCM_SHA256 = 0x009c;

/**
 * A real, well-formed certificate that a multi-tenant server could present: one name per tenant in its
 * subjectAltName (5 600 of them, about 300 KB). Larger than tlsdiag's handshake-message limit, far below the
 * protocol's (2^24 - 1 bytes).
 */
async function manyNamesCertificate(): Promise<Uint8Array> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(algorithm, false, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const names = Array.from({ length: 5600 }, (_, i) => ({ type: 'dns' as const, value: `tenant-${String(i).padStart(5, '0')}.eu-west-1.customers.saas.example` }));
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '0a1b2c',
    name: 'CN=saas.example',
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2027-01-01T00:00:00Z'),
    signingAlgorithm: algorithm,
    keys,
    extensions: [new x509.SubjectAlternativeNameExtension(names)],
  });
  return new Uint8Array(certificate.rawData);
}

/** TLS 1.2 Certificate message (RFC 5246 §7.4.2) holding `certificates`. */
function tls12Certificate(certificates: Uint8Array[]): Uint8Array {
  const list = concat(certificates.map((der) => concat([u24(der.length), der])));
  return handshakeMessage(11, concat([u24(list.length), list]));
}

function record(contentType: number, fragment: Uint8Array): Uint8Array {
  return concat([Uint8Array.of(contentType, 3, 3), u16(fragment.length), fragment]);
}

const junk = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);

/** A TLS 1.2 RSA-key-exchange connection whose server sends `certificate`, then data both ways. */
function tls12Connection(certificate: Uint8Array): Flight[] {
  const random = new Uint8Array(32).fill(3);
  const serverHello = handshakeMessage(2, concat([u16(0x0303), new Uint8Array(32).fill(4), Uint8Array.of(0), u16(TLS_RSA_WITH_AES_128_GCM_SHA256), Uint8Array.of(0)]));
  const ccs = record(20, Uint8Array.of(1));
  return [
    { from: 'client', bytes: handshakeRecords(clientHello([0x0303], random, 51, new Uint8Array(0))) },
    { from: 'server', bytes: handshakeRecords(concat([serverHello, certificate, handshakeMessage(14, new Uint8Array(0))])) },
    { from: 'client', bytes: concat([handshakeRecords(handshakeMessage(16, concat([u16(256), junk(256, 1)]))), ccs, record(22, junk(40, 2))]) },
    { from: 'server', bytes: concat([ccs, record(22, junk(40, 4))]) },
    { from: 'client', bytes: record(23, junk(120, 3)) },
    { from: 'server', bytes: record(23, junk(900, 5)) },
  ];
}

describe("tlsdiag's own limits", () => {
  it(`a Certificate of about 300 KB (over the ${MAX_HANDSHAKE_MESSAGE_LENGTH}-byte limit) is not understood, skipped, and the handshake read on`, async () => {
    const certificate = tls12Certificate([await manyNamesCertificate()]);
    const bodyLength = certificate.length - 4;
    expect(bodyLength).toBeGreaterThan(MAX_HANDSHAKE_MESSAGE_LENGTH);
    const { connections } = await runPipeline(conversationCapture(tls12Connection(certificate)));
    const report = connections[0]!;
    expect(report.outcome).toBe('not-understood');
    expect(report.outcomeDetail).toMatch(
      new RegExp(`^a handshake message \\(certificate\\) of ${bodyLength} bytes is larger than tlsdiag's limit of ${MAX_HANDSHAKE_MESSAGE_LENGTH} bytes \\(near stream offset \\d+\\); it was skipped unread$`),
    );
    // ServerHelloDone after the skipped Certificate is read: the limit costs one message, not the connection.
    expect(report.history).toBe('Cs!nGIFifDd');
    expect(report.version).toBe('TLS 1.2');
    expect(report.serverCertificates).toBeNull();
    // The handshake went on, but what tlsdiag could not read may have been the cause of anything: not `established`.
    expect(report.established).toBe(false);
    expect(report.findings.map((f) => [f.id, f.severity])).toEqual([['not-understood', 'info']]);
    expect(report.applicationBytes).toEqual({ client: 120, server: 900 });
  }, 30_000);

  it(`a chain of ${MAX_CERTIFICATES_PER_CHAIN + 1} certificates (under the size limit) is not understood: the count limit is named`, async () => {
    const leaf = leafCertificateDer();
    const certificate = tls12Certificate(Array.from({ length: MAX_CERTIFICATES_PER_CHAIN + 1 }, () => leaf));
    expect(certificate.length).toBeLessThan(MAX_HANDSHAKE_MESSAGE_LENGTH);
    const { connections } = await runPipeline(conversationCapture(tls12Connection(certificate)));
    expect(connections[0]!.outcome).toBe('not-understood');
    expect(connections[0]!.outcomeDetail).toMatch(
      new RegExp(`^Certificate: expected at most ${MAX_CERTIFICATES_PER_CHAIN} certificates \\(tlsdiag's limit\\), found more at offset \\d+: a limit of tlsdiag's, not of the protocol$`),
    );
    expect(connections[0]!.established).toBe(false);
    expect(connections[0]!.findings.filter((f) => f.severity !== 'info')).toEqual([]);
  });

  it("a peer's malformed message stays a parse error: not tlsdiag's to not understand", async () => {
    const flights = tls12Connection(tls12Certificate([leafCertificateDer()]));
    // A Certificate whose list length claims one byte more than the message holds.
    const lying = handshakeMessage(11, concat([u24(10), u24(9), junk(8, 9)]));
    flights[1] = { from: 'server', bytes: handshakeRecords(concat([flights[1]!.bytes.subarray(5, 5 + 4 + 38), lying, handshakeMessage(14, new Uint8Array(0))])) };
    const { connections } = await runPipeline(conversationCapture(flights));
    expect(connections[0]!.outcome).not.toBe('not-understood');
    expect(connections[0]!.timeline.some((e) => e.kind === 'ParseError')).toBe(true);
  });

  it(`a hole followed by more than ${DEFAULT_REASSEMBLY_OPTIONS.maxPendingBytes} out-of-order bytes: given up by tlsdiag's reassembly limit, said so`, async () => {
    const c = { src: 0x0a000001, dst: 0x0a000002, srcPort: 40001, dstPort: 443 };
    const s = { src: c.dst, dst: c.src, srcPort: c.dstPort, dstPort: c.srcPort };
    const hello = handshakeRecords(clientHello([0x0303], new Uint8Array(32).fill(5), 51, new Uint8Array(0)));
    const packets = [tcpPacket({ ...c, seq: 100, flags: SYN }), tcpPacket({ ...s, seq: 5000, ack: 101, flags: SYN | ACK }), tcpPacket({ ...c, seq: 101, ack: 5001, flags: PSH_ACK, payload: hello })];
    // The server's first 1000 bytes never reach the capture; 1.1 MiB after them do, before anything fills the hole.
    let seq = 5001 + 1000;
    for (let i = 0; i < 1100; i++) {
      packets.push(tcpPacket({ ...s, seq, ack: 101 + hello.length, flags: PSH_ACK, payload: new Uint8Array(1000).fill(23) }));
      seq += 1000;
    }
    packets.push(tcpPacket({ ...c, seq: 101 + hello.length, ack: 5001, flags: ACK }));
    const { connections } = await runPipeline(pcapOf(packets));
    expect(connections[0]!.outcome).toBe('not-understood');
    expect(connections[0]!.outcomeDetail).toMatch(/tlsdiag's reassembly limit: the bytes missing before them were given up as lost$/);
  });
});
