import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { decodeCertificate, isCertificateDecodeError, loadCertificates } from '../../src/x509/index.js';
import { judgeChain, mozillaTrustStore, TrustStore } from '../../src/x509/trust-store.js';
import type { DecodedCertificate } from '../../src/x509/types.js';

const PKI = 'captures/pki';

function certs(path: string): DecodedCertificate[] {
  return loadCertificates(path).map((der) => {
    const d = decodeCertificate(der);
    if (isCertificateDecodeError(d)) throw new Error(d.message);
    return d;
  });
}

function decoded(der: Uint8Array): DecodedCertificate {
  const d = decodeCertificate(der);
  if (isCertificateDecodeError(d)) throw new Error(d.message);
  return d;
}

const serverChain = certs(`${PKI}/server-chain.pem`);
const [root] = certs(`${PKI}/root.pem`);
const privateStore = new TrustStore('given', loadCertificates(`${PKI}/root.pem`));
const inValidity = new Date('2030-01-01T00:00:00Z');

describe('judgeChain: the statuses of serverChainStatus', () => {
  it('ok: leaf and intermediate sent, root an anchor', async () => {
    const j = await judgeChain(serverChain, privateStore, inValidity);
    expect(j.status).toBe('ok');
    expect(j.path.map((c) => c.summary.subject)).toEqual(['CN=localhost,O=tlsdiag', 'CN=tlsdiag Test Intermediate CA,O=tlsdiag', 'CN=tlsdiag Test Root CA,O=tlsdiag']);
    expect(j.anchor?.summary.subject).toBe('CN=tlsdiag Test Root CA,O=tlsdiag');
  });

  it('unable-to-get-issuer: the intermediate left out, or a private chain against the Mozilla store', async () => {
    const leafOnly = await judgeChain(serverChain.slice(0, 1), privateStore, inValidity);
    expect(leafOnly.status).toBe('unable-to-get-issuer');
    expect(leafOnly.stoppedAt).toBe(serverChain[0]);
    expect((await judgeChain(serverChain, mozillaTrustStore(), inValidity)).status).toBe('unable-to-get-issuer');
  });

  it('untrusted: the chain ends at a root that is not an anchor; self-signed: a self-signed leaf', async () => {
    expect((await judgeChain([...serverChain, root!], mozillaTrustStore(), inValidity)).status).toBe('untrusted');
    expect((await judgeChain([root!], mozillaTrustStore(), inValidity)).status).toBe('self-signed');
    expect((await judgeChain([root!], privateStore, inValidity)).status).toBe('ok');
  });

  it('expired / not-yet-valid: judged at the given time', async () => {
    expect((await judgeChain(serverChain, privateStore, new Date('2046-01-01T00:00:00Z'))).status).toBe('expired');
    expect((await judgeChain(serverChain, privateStore, new Date('2024-01-01T00:00:00Z'))).status).toBe('not-yet-valid');
  });

  it('untrusted: a signature on the path that does not verify (the last signature byte of a real leaf flipped)', async () => {
    const fixtures = 'test/fixtures/x509';
    const store = new TrustStore('given', loadCertificates(`${fixtures}/root.pem`));
    const [intermediate] = certs(`${fixtures}/intermediate.pem`);
    const leafDer = new Uint8Array(loadCertificates(`${fixtures}/leaf-server.pem`)[0]!);
    expect((await judgeChain([decoded(leafDer), intermediate!], store, inValidity)).status).toBe('ok');
    leafDer[leafDer.length - 1] = leafDer[leafDer.length - 1]! ^ 0x01;
    const altered = decoded(leafDer);
    const bad = await judgeChain([altered, intermediate!], store, inValidity);
    expect(bad.status).toBe('untrusted');
    expect(bad.failedAt).toBe(altered);
    // A leaf signed by another key of the issuer's name is no issuer match at all: OpenSSL says 20, so do we.
    const other = await judgeChain([...certs(`${fixtures}/leaf-bad-signature.pem`), intermediate!], store, inValidity);
    expect(other.status).toBe('unable-to-get-issuer');
  });

  it('a CA of the same name with another key is not an issuer (key identifiers differ)', async () => {
    const store = new TrustStore('given', loadCertificates('captures/crl/ca/root.pem'));
    expect((await judgeChain(serverChain, store, inValidity)).status).toBe('unable-to-get-issuer');
  });

  it('decodes the Mozilla store once, indexed by subject', () => {
    const store = mozillaTrustStore();
    expect(store).toBe(mozillaTrustStore());
    expect(store.size).toBeGreaterThan(100);
  });
});

describe('serverChainStatus and the default store on real captures', () => {
  const mtls = readdirSync('captures/mtls').filter((f) => f.endsWith('.pcap')).sort();
  const keyLogOf = (name: string) => {
    const k = join('captures/mtls', name.replace(/\.pcap$/, '.keys.log'));
    return existsSync(k) ? [k] : [];
  };

  it('the private test CA is never an error on a connection whose client went on (a warning at most)', async () => {
    let judged = 0;
    for (const name of mtls) {
      const { connections } = await analyze(join('captures/mtls', name), { keyLogFiles: keyLogOf(name) });
      for (const c of connections) {
        const clientRejected = c.alerts.some((a) => a.from === 'client' && a.level === 'fatal');
        if (c.serverChainStatus !== null) judged++;
        if (!c.established || clientRejected) continue;
        const trust = c.findings.filter((f) => f.id === 'server-cert-untrusted' || f.id === 'server-chain-incomplete');
        // A chain to a private root the client trusts is context (info); a public leaf missing its
        // intermediate would be a warning. Never an error when the client went on.
        expect(trust.every((f) => f.severity !== 'error'), name).toBe(true);
        expect(trust.filter((f) => f.id === 'server-cert-untrusted').every((f) => f.severity === 'info'), name).toBe(true);
      }
    }
    expect(judged).toBeGreaterThan(10);
  });

  it('a healthy private-CA connection: unable-to-get-issuer and info by default, ok with --server-ca, null with none', async () => {
    const capture = 'captures/mtls/nginx-tls12-valid-client-cert.pcap';
    const keyLogFiles = keyLogOf('nginx-tls12-valid-client-cert.pcap');
    const byDefault = (await analyze(capture, { keyLogFiles })).connections[0]!;
    expect(byDefault.serverChainStatus).toBe('unable-to-get-issuer');
    expect(byDefault.findings.map((f) => `${f.severity}:${f.id}`)).toEqual(['info:server-cert-untrusted']);
    const given = (await analyze(capture, { keyLogFiles, serverCaFiles: [`${PKI}/root.pem`] })).connections[0]!;
    expect(given.serverChainStatus).toBe('ok');
    expect(given.findings).toEqual([]);
    const off = (await analyze(capture, { keyLogFiles, serverCaFiles: ['none'] })).connections[0]!;
    expect(off.serverChainStatus).toBeNull();
    expect(off.findings).toEqual([]);
  });

  it('the client alert makes it an error: unknown_ca for a chain without its intermediate', async () => {
    const c = (await analyze('captures/mtls/nginx-tls12-server-chain-incomplete.pcap')).connections[0]!;
    expect(c.serverChainStatus).toBe('unable-to-get-issuer');
    expect(c.findings.find((f) => f.id === 'server-chain-incomplete')?.severity).toBe('error');
  });

  const ja4 = join('..', 'shared', 'conformance', 'ja4', 'captures');
  const ja4Dir = existsSync(ja4) ? ja4 : join('/work', 'shared', 'conformance', 'ja4', 'captures');
  it.runIf(existsSync(join(ja4Dir, 'tls-handshake.pcapng')))('public server chains in the JA4 conformance captures reach a Mozilla root (ok)', async () => {
    const { connections } = await analyze(join(ja4Dir, 'tls-handshake.pcapng'));
    const judged = connections.filter((c) => c.serverChainStatus !== null);
    expect(judged.length).toBeGreaterThanOrEqual(6);
    expect(judged.every((c) => c.serverChainStatus === 'ok')).toBe(true);
  });
});
