import { describe, expect, it } from 'vitest';
import { connectionOf } from '../rules/capture.js';

/**
 * src/model/history.ts: the Zeek-style history of real connections (docs/output.md "history"). Upper case is
 * the client, lower case the server; C ClientHello, S ServerHello, X Certificate, K ServerKeyExchange,
 * R CertificateRequest, N ServerHelloDone, G ClientKeyExchange, Y CertificateVerify, I ChangeCipherSpec,
 * F Finished, O EncryptedExtensions, T NewSessionTicket, D application data, L alert, Q encrypted record.
 */
describe('history of real connections', () => {
  it('TLS 1.2, s_server refuses a client certificate from another root: the alert ends the handshake', async () => {
    const c = await connectionOf('mtls/s-server-tls12-other-root-client-cert.pcap');
    // ClientHello; ServerHello Certificate ServerKeyExchange CertificateRequest ServerHelloDone; Certificate
    // ClientKeyExchange CertificateVerify ChangeCipherSpec Finished; the server's fatal unknown_ca.
    expect(c.history).toBe('CsxkrnXGYIFl');
  });

  it('TLS 1.2 accepted: both Finished, one request and answer, the client closes', async () => {
    const c = await connectionOf('mtls/nginx-tls12-valid-client-cert.pcap');
    expect(c.history).toBe('CsxkrnXGYIFifDdL');
  });

  it('TLS 1.3 with its key log reads every message; without it, runs of encrypted records read as flights', async () => {
    const name = 'mtls/nginx-tls13-other-root-client-cert.pcap';
    const decrypted = await connectionOf(name);
    expect(decrypted.history).toBe('CsiorxyfIXYFttDdlL');
    const sealed = await connectionOf(name, { withKeys: false });
    // The server's Finished-sized and alert-sized records are told apart by size (q…q, then l); the client's
    // three encrypted records are one flight (Q), as are the tickets and the answer.
    expect(sealed.history).toBe('CsiqIQqQqlL');
    // One letter per timeline entry, but FIN/RST (no letter) and a repeat of Q/D from the same side.
    const letters = decrypted.timeline.filter((e) => e.kind !== 'FIN' && e.kind !== 'RST');
    expect(decrypted.history).toHaveLength(letters.length);
  });
});
