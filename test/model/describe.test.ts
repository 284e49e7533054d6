import { describe, expect, it } from 'vitest';
import { alertLevelName, alertName, versionList } from '../../src/model/describe.js';
import { connectionOf } from '../rules/capture.js';

/** src/model/describe.ts: the timeline's kinds and one-line summaries of real connections. */
describe('timeline of real connections', () => {
  it('TLS 1.2 mTLS refused by s_server: each message named, with what it carried', async () => {
    const c = await connectionOf('mtls/s-server-tls12-other-root-client-cert.pcap');
    expect(c.timeline.map((e) => `${e.frame} ${e.from} ${e.kind}: ${e.summary}`)).toEqual([
      '4 client ClientHello: offers TLS 1.2, SNI localhost, 28 cipher suites',
      '6 server ServerHello: TLS 1.2, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
      '6 server Certificate: 2 certificates, leaf CN=localhost,O=tlsdiag',
      '6 server ServerKeyExchange: ECDHE on x25519',
      '6 server CertificateRequest: asks for a client certificate issued by: CN=tlsdiag Test Root CA,O=tlsdiag',
      '6 server ServerHelloDone: ServerHelloDone',
      '8 client Certificate: 1 certificate, leaf CN=tlsdiag Test Client from Other Root,O=Other Org',
      '8 client ClientKeyExchange: ClientKeyExchange',
      '8 client CertificateVerify: signed with rsa_pss_rsae_sha256',
      '8 client ChangeCipherSpec: ChangeCipherSpec',
      '8 client Finished: Finished',
      '9 server Alert: fatal unknown_ca (48)',
      '10 server FIN: TCP FIN',
      '11 client FIN: TCP FIN',
    ]);
    expect(c.timeline.filter((e) => e.encrypted).map((e) => e.kind)).toEqual(['Finished']);
    // Without the key log the Finished is known by its place and size only.
    const sealed = await connectionOf('mtls/s-server-tls12-other-root-client-cert.pcap', { withKeys: false });
    expect(sealed.timeline.find((e) => e.frame === 8 && e.kind === 'Finished')?.summary).toBe('Finished (encrypted, 40 bytes)');
  });

  it('TLS 1.3 without its key log: what is sealed is said by size, alerts included', async () => {
    const c = await connectionOf('mtls/nginx-tls13-other-root-client-cert.pcap', { withKeys: false });
    const alerts = c.timeline.filter((e) => e.kind === 'Alert');
    expect(alerts.map((e) => `${e.frame} ${e.from} ${e.summary}`)).toEqual([
      '13 server encrypted record of 19 bytes: the size of an alert',
      '16 client encrypted record of 19 bytes: the size of an alert',
    ]);
    expect(c.timeline.find((e) => e.frame === 6 && e.kind === 'EncryptedRecord')?.summary).toBe('encrypted record, 42 bytes');
  });

  it('TLS 1.3 with its key log: decrypted alerts, tickets and the first HTTP lines', async () => {
    const c = await connectionOf('mtls/nginx-tls13-other-root-client-cert.pcap');
    const line = (frame: number, kind: string) => c.timeline.find((e) => e.frame === frame && e.kind === kind)?.summary;
    expect(line(4, 'ClientHello')).toBe('offers TLS 1.3, TLS 1.2, TLS 1.1, TLS 1.0, SNI localhost, ALPN h2,http/1.1, 31 cipher suites');
    expect(line(6, 'EncryptedExtensions')).toBe('ALPN http/1.1');
    expect(line(9, 'NewSessionTicket')).toBe('session ticket, lifetime 300 s');
    expect(line(11, 'ApplicationData')).toBe('application data: "GET / HTTP/1.1"');
    expect(line(12, 'ApplicationData')).toBe('application data: "HTTP/1.1 400 Bad Request"');
    expect(line(13, 'Alert')).toBe('warning close_notify (0), decrypted');
    expect(line(17, 'RST')).toBe('TCP RST');
  });
});

describe('names', () => {
  it('alerts by the IANA registry, unknown ones by number', () => {
    expect(alertName(48)).toBe('unknown_ca');
    expect(alertName(116)).toBe('certificate_required');
    expect(alertName(250)).toBe('unknown_alert_250');
    expect(alertName(null)).toBeNull();
    expect([alertLevelName(1), alertLevelName(2), alertLevelName(3), alertLevelName(null)]).toEqual(['warning', 'fatal', null, null]);
  });

  it('offered versions without GREASE', () => {
    expect(versionList([0x0a0a, 0x0304, 0x0303, 0x0302])).toBe('TLS 1.3, TLS 1.2, TLS 1.1');
    expect(versionList([0x0300])).toBe('SSL 3.0');
  });
});
