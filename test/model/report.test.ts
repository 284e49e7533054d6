import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../src/model/report.js';
import type { CertificateSummary } from '../../src/model/types.js';
import { readAll } from '../capture/helpers.js';
import { connectionOf, capturePath } from '../rules/capture.js';

/**
 * src/model/report.ts on real connections: the endpoints, times and certificate summaries buildReport gives,
 * against what an independent reader says (Node's X509Certificate for the PEM the server was given, the
 * capture's own frame times).
 */

/** The certificates of a PEM bundle as Node's OpenSSL reads them. */
function pemChain(path: string): X509Certificate[] {
  return (readFileSync(path, 'utf8').match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map((pem) => new X509Certificate(pem));
}

/** Node names `O=tlsdiag\nCN=localhost`; RFC 4514 reverses the order and joins with commas. */
const rfc4514 = (nodeName: string): string => nodeName.split('\n').reverse().join(',');

/** Node's names of the curves in captures/pki, and their sizes. */
const CURVE_BITS: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521 };

function expectSameCertificate(ours: CertificateSummary, theirs: X509Certificate): void {
  expect(ours.subject).toBe(rfc4514(theirs.subject));
  expect(ours.issuer).toBe(rfc4514(theirs.issuer));
  expect(ours.serialNumber.toUpperCase()).toBe(theirs.serialNumber.toUpperCase());
  expect(Date.parse(ours.notBefore)).toBe(Date.parse(theirs.validFrom));
  expect(Date.parse(ours.notAfter)).toBe(Date.parse(theirs.validTo));
  expect(ours.sha256).toBe(theirs.fingerprint256.replaceAll(':', '').toLowerCase());
  expect(ours.sha1).toBe(theirs.fingerprint.replaceAll(':', '').toLowerCase());
  expect(ours.basicConstraints?.ca ?? false).toBe(theirs.ca);
  expect(ours.selfSigned).toBe(theirs.subject === theirs.issuer && theirs.verify(theirs.publicKey));
  expect(ours.publicKey.algorithm).toBe(theirs.publicKey.asymmetricKeyType!.toUpperCase());
  const details = theirs.publicKey.asymmetricKeyDetails!;
  expect(ours.publicKey.size).toBe(details.modulusLength ?? CURVE_BITS[details.namedCurve!]);
  // Node lists "DNS:localhost, IP Address:127.0.0.1"; we say IP:.
  const sans = theirs.subjectAltName?.split(', ').map((s) => s.replace(/^IP Address:/, 'IP:')) ?? [];
  expect(ours.subjectAltNames).toEqual(sans);
}

describe('buildReport on a TLS 1.2 mutual-TLS connection (captures/mtls/nginx-tls12-valid-client-cert.pcap)', () => {
  const name = 'mtls/nginx-tls12-valid-client-cert.pcap';

  it('summarises the server chain as Node reads captures/pki/server-chain.pem, the file nginx served', async () => {
    const c = await connectionOf(name);
    const served = pemChain(capturePath('pki/server-chain.pem'));
    expect(c.serverCertificates).toHaveLength(served.length);
    c.serverCertificates!.forEach((summary, i) => expectSameCertificate(summary, served[i]!));
    expect(c.serverCertificateFrame).toBe(6);
  });

  it('summarises the client leaf as Node reads captures/pki/client-valid.pem, the certificate curl sent', async () => {
    const c = await connectionOf(name);
    const [leaf] = pemChain(capturePath('pki/client-valid.pem'));
    expectSameCertificate(c.clientCertificates![0]!, leaf!);
    expect(c.clientCertificateFrame).toBe(8);
  });

  it('names the client by the SYN sender and the server by nginx listening port; times are the frames\' own', async () => {
    const c = await connectionOf(name);
    expect(c.client.ip).toBe('127.0.0.1');
    expect(c.server).toEqual({ ip: '127.0.0.1', port: 22001 });
    const { frames, segments } = await readAll(capturePath(name));
    const syn = segments.find((s) => s.frame === 1)!;
    expect(c.client.port).toBe(syn.srcPort);
    expect(syn.dstPort).toBe(22001);
    const first = frames[c.firstFrame - 1]!;
    const last = frames[c.lastFrame - 1]!;
    expect(c.startTime).toBe(isoTime(first.tsSec + first.tsNsec / 1e9));
    expect(c.endTime).toBe(isoTime(last.tsSec + last.tsNsec / 1e9));
  });
});

describe('isoTime', () => {
  it('writes microseconds, carries a rounded-up second and says when a time stamp is beyond a date', () => {
    expect(isoTime(1_700_000_000)).toBe('2023-11-14T22:13:20.000000Z');
    expect(isoTime(1_700_000_000.000_25)).toBe('2023-11-14T22:13:20.000250Z');
    expect(isoTime(1_700_000_000.999_999_7)).toBe('2023-11-14T22:13:21.000000Z');
    expect(isoTime(0)).toBe('1970-01-01T00:00:00.000000Z');
    expect(isoTime(2 ** 53)).toBe(`out-of-range(${2 ** 53} s)`);
  });
});
