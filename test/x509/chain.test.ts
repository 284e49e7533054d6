/**
 * validateChain against `openssl verify` (OpenSSL 3.0) on the same certificates, time, purpose and depth:
 * the same verdict, and our reported failure is the first error openssl prints, at the same depth.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateChain, checkChainOrder, isIssuedBy, isSelfSigned } from '../../src/x509/chain.js';
import type { ChainFailureCode, ChainPurpose } from '../../src/x509/types.js';
import { cert, hasOpenssl, opensslVerify, toPem } from './fixtures.js';

/** The fixtures are issued with fixed dates; every leaf but the expired and not-yet-valid ones is valid then. */
const AT = new Date('2026-06-01T00:00:00Z');

/** X509_V_ERR numbers (OpenSSL 3.0) and the failure codes that say the same thing. */
const OPENSSL_ERRORS: Record<number, ChainFailureCode[]> = {
  2: ['issuer-not-found'],
  7: ['signature-invalid'],
  9: ['not-yet-valid'],
  10: ['expired'],
  18: ['untrusted-self-signed'],
  19: ['untrusted-root'],
  20: ['issuer-not-found'],
  22: ['depth-exceeded'],
  25: ['path-length-exceeded'],
  26: ['eku-missing', 'key-usage-missing'],
  32: ['key-usage-missing'],
  // X509_V_ERR_INVALID_CA: CA:FALSE, or a keyUsage without keyCertSign (X509_check_ca returns 0 for both).
  79: ['not-a-ca', 'key-usage-missing'],
};

/** A copy of `der` with the last byte of the signature value flipped: names and keys unchanged. */
function tamperedSignature(der: Uint8Array): Uint8Array {
  const copy = new Uint8Array(der);
  copy[copy.length - 1]! ^= 0x01;
  return copy;
}

interface Scenario {
  name: string;
  purpose: ChainPurpose;
  /** Leaf first, then what the peer sent with it. */
  presented: Uint8Array[];
  anchors: Uint8Array[];
  maxDepth?: number;
  /** Verification time when not AT. */
  at?: Date;
  /** What the scenario is about: null for a chain that must validate. */
  expected: ChainFailureCode | null;
}

const leafClient = cert('leaf-client.pem');
const inter = cert('intermediate.pem');
const root = cert('root.pem');
const scenarios: Scenario[] = [
  { name: 'valid client chain', purpose: 'clientAuth', presented: [leafClient, inter], anchors: [root], expected: null },
  { name: 'valid server chain', purpose: 'serverAuth', presented: [cert('leaf-server.pem'), inter], anchors: [root], expected: null },
  { name: 'leaf with both EKUs as a client', purpose: 'clientAuth', presented: [cert('leaf-both.pem'), inter], anchors: [root], expected: null },
  { name: 'leaf with both EKUs as a server', purpose: 'serverAuth', presented: [cert('leaf-both.pem'), inter], anchors: [root], expected: null },
  { name: 'expired leaf', purpose: 'clientAuth', presented: [cert('leaf-expired.pem'), inter], anchors: [root], expected: 'expired' },
  { name: 'leaf not yet valid', purpose: 'clientAuth', presented: [cert('leaf-not-yet-valid.pem'), inter], anchors: [root], expected: 'not-yet-valid' },
  { name: 'wrong issuer (another PKI trusted)', purpose: 'clientAuth', presented: [leafClient, inter], anchors: [cert('other-root.pem')], expected: 'issuer-not-found' },
  { name: 'missing intermediate', purpose: 'clientAuth', presented: [leafClient], anchors: [root], expected: 'issuer-not-found' },
  { name: 'leaf of another PKI with its root', purpose: 'clientAuth', presented: [cert('other-leaf.pem'), cert('other-root.pem')], anchors: [root], expected: 'untrusted-root' },
  { name: 'self-signed leaf', purpose: 'clientAuth', presented: [cert('selfsigned.pem')], anchors: [root], expected: 'untrusted-self-signed' },
  { name: 'self-signed leaf that is trusted', purpose: 'clientAuth', presented: [cert('selfsigned.pem')], anchors: [cert('selfsigned.pem')], expected: null },
  {
    name: 'pathlen:0 CA with a sub-CA below it',
    purpose: 'clientAuth',
    presented: [cert('leaf-under-sub.pem'), cert('subintermediate.pem'), cert('intermediate-pathlen0.pem')],
    anchors: [root],
    expected: 'path-length-exceeded',
  },
  {
    name: 'pathlen:0 CA with a sub-CA below it, sent in the wrong order',
    purpose: 'clientAuth',
    presented: [cert('leaf-under-sub.pem'), cert('intermediate-pathlen0.pem'), cert('subintermediate.pem')],
    anchors: [root],
    expected: 'path-length-exceeded',
  },
  { name: 'leaf directly under the pathlen:0 CA', purpose: 'clientAuth', presented: [cert('leaf-under-pathlen0.pem'), cert('intermediate-pathlen0.pem')], anchors: [root], expected: null },
  {
    name: 'intermediate without keyCertSign',
    purpose: 'clientAuth',
    presented: [cert('leaf-under-no-certsign.pem'), cert('intermediate-no-certsign.pem')],
    anchors: [root],
    expected: 'key-usage-missing',
  },
  { name: 'issuer with CA:FALSE', purpose: 'clientAuth', presented: [cert('leaf-under-not-a-ca.pem'), cert('not-a-ca.pem'), inter], anchors: [root], expected: 'not-a-ca' },
  { name: 'server-only leaf used as a client', purpose: 'clientAuth', presented: [cert('leaf-server.pem'), inter], anchors: [root], expected: 'eku-missing' },
  {
    name: 'server-only leaf used as a client after it expired',
    purpose: 'clientAuth',
    presented: [cert('leaf-server.pem'), inter],
    anchors: [root],
    at: new Date('2040-01-01T00:00:00Z'),
    expected: 'eku-missing',
  },
  { name: 'client-only leaf used as a server', purpose: 'serverAuth', presented: [leafClient, inter], anchors: [root], expected: 'eku-missing' },
  { name: 'codeSigning leaf used as a client', purpose: 'clientAuth', presented: [cert('leaf-codesign.pem'), inter], anchors: [root], expected: 'eku-missing' },
  { name: 'keyEncipherment-only leaf as a client', purpose: 'clientAuth', presented: [cert('leaf-ku-keyenc.pem'), inter], anchors: [root], expected: 'key-usage-missing' },
  { name: 'keyEncipherment-only leaf as a server', purpose: 'serverAuth', presented: [cert('leaf-ku-keyenc.pem'), inter], anchors: [root], expected: null },
  { name: 'keyCertSign-only leaf as a client', purpose: 'clientAuth', presented: [cert('leaf-ku-certsign.pem'), inter], anchors: [root], expected: 'key-usage-missing' },
  { name: 'leaf without EKU', purpose: 'clientAuth', presented: [cert('leaf-no-eku.pem'), inter], anchors: [root], expected: null },
  { name: 'leaf without keyUsage', purpose: 'serverAuth', presented: [cert('leaf-no-ku.pem'), inter], anchors: [root], expected: null },
  { name: 'version 1 leaf', purpose: 'clientAuth', presented: [cert('leaf-v1.pem'), inter], anchors: [root], expected: null },
  { name: 'Ed25519 leaf', purpose: 'clientAuth', presented: [cert('leaf-ed25519.pem'), inter], anchors: [root], expected: null },
  { name: 'SHA-1 signed leaf', purpose: 'clientAuth', presented: [cert('leaf-sha1.pem'), inter], anchors: [root], expected: null },
  { name: 'leaf signed by another CA of the same name (AKI differs)', purpose: 'clientAuth', presented: [cert('leaf-bad-signature.pem'), inter], anchors: [root], expected: 'issuer-not-found' },
  { name: 'leaf with a damaged signature', purpose: 'clientAuth', presented: [tamperedSignature(leafClient), inter], anchors: [root], expected: 'signature-invalid' },
  { name: 'intermediate with a damaged signature', purpose: 'clientAuth', presented: [leafClient, tamperedSignature(inter)], anchors: [root], expected: 'signature-invalid' },
  { name: 'depth 0: no intermediate allowed', purpose: 'clientAuth', presented: [leafClient, inter], anchors: [root], maxDepth: 0, expected: 'depth-exceeded' },
  { name: 'depth 1: one intermediate allowed (nginx default)', purpose: 'clientAuth', presented: [leafClient, inter], anchors: [root], maxDepth: 1, expected: null },
  {
    name: 'depth 1 with two intermediates',
    purpose: 'clientAuth',
    presented: [cert('leaf-under-sub.pem'), cert('subintermediate.pem'), cert('intermediate-pathlen0.pem')],
    anchors: [root],
    maxDepth: 1,
    expected: 'depth-exceeded',
  },
  { name: 'extra unrelated certificate in the chain', purpose: 'clientAuth', presented: [leafClient, cert('other-root.pem'), inter], anchors: [root], expected: null },
  { name: 'issuer name in PrintableString, anchor in UTF8String', purpose: 'clientAuth', presented: [cert('leaf-under-printable.pem')], anchors: [cert('name-ca-utf8.pem')], expected: null },
  { name: 'issuer name matched case- and space-insensitively', purpose: 'clientAuth', presented: [cert('leaf-under-printable.pem')], anchors: [cert('name-ca-casefold.pem')], expected: null },
  { name: 'anchor with a different name', purpose: 'clientAuth', presented: [cert('leaf-under-printable.pem')], anchors: [cert('name-ca-other.pem')], expected: 'issuer-not-found' },
];

describe.runIf(hasOpenssl)('validateChain against openssl verify', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tlsdiag-chain-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const file = (ders: Uint8Array[]): string => {
    const path = join(dir, `${n++}.pem`);
    writeFileSync(path, toPem(ders));
    return path;
  };

  for (const s of scenarios) {
    it(s.name, async () => {
      const at = s.at ?? AT;
      const ours = await validateChain({ presented: s.presented, anchors: s.anchors, time: at, purpose: s.purpose, maxDepth: s.maxDepth });
      const args = ['-attime', String(at.getTime() / 1000), '-purpose', s.purpose === 'clientAuth' ? 'sslclient' : 'sslserver', '-CAfile', file(s.anchors)];
      if (s.presented.length > 1) args.push('-untrusted', file(s.presented.slice(1)));
      if (s.maxDepth !== undefined) args.push('-verify_depth', String(s.maxDepth));
      args.push(file([s.presented[0]!]));
      const theirs = opensslVerify(args);

      expect(ours.ok, theirs.output).toBe(theirs.ok);
      expect(ours.failure?.code ?? null).toBe(s.expected);
      if (theirs.ok) {
        expect(ours.failures).toEqual([]);
        expect(ours.anchored).toBe(true);
        return;
      }
      const first = theirs.errors[0]!;
      expect(OPENSSL_ERRORS[first.code], `openssl error ${first.code}`).toContain(ours.failure!.code);
      expect(ours.failure!.index).toBe(first.depth);
      // Every openssl error depth is one where we found something wrong too.
      for (const e of theirs.errors) expect(ours.failures.map((f) => f.index)).toContain(e.depth);
    });
  }
});

describe('validateChain results', () => {
  it('tells the path, where each element came from, and which presented certificates were not used', async () => {
    const r = await validateChain({ presented: [leafClient, cert('other-root.pem'), inter], anchors: [root], time: AT, purpose: 'clientAuth' });
    expect(r.ok).toBe(true);
    expect(r.path).toEqual(['CN=alice,O=tlsdiag Clients,C=US', 'CN=tlsdiag Test Intermediate CA,OU=Issuing,O=tlsdiag Test PKI,C=US', 'CN=tlsdiag Test Root CA,O=tlsdiag Test PKI,C=US']);
    expect(r.sources).toEqual([{ from: 'presented', index: 0 }, { from: 'presented', index: 2 }, { from: 'anchor', index: 0 }]);
    expect(r.unusedPresented).toEqual([1]);
  });

  it('names the missing intermediate', async () => {
    const r = await validateChain({ presented: [leafClient], anchors: [root], time: AT, purpose: 'clientAuth' });
    expect(r.incomplete).toBe(true);
    expect(r.failure?.missingIssuer).toBe('CN=tlsdiag Test Intermediate CA,OU=Issuing,O=tlsdiag Test PKI,C=US');
  });

  it('says why a certificate of the right name was not taken as the issuer', async () => {
    const r = await validateChain({ presented: [cert('leaf-bad-signature.pem'), inter], anchors: [root], time: AT, purpose: 'clientAuth' });
    expect(r.failure?.message).toMatch(/with another key: their subject key identifier is not this certificate's authority key identifier [0-9a-f]{40}/);
    expect(r.unusedPresented).toEqual([1]);
  });

  it('reports no certificate and an undecodable leaf without throwing', async () => {
    const none = await validateChain({ presented: [], anchors: [root], time: AT, purpose: 'clientAuth' });
    expect(none.failure?.code).toBe('no-certificate');
    const garbage = await validateChain({ presented: [new Uint8Array([0x30, 0x82, 0xff, 0xff, 1, 2]), inter], anchors: [root], time: AT, purpose: 'clientAuth' });
    expect(garbage.failure?.code).toBe('undecodable');
    expect(garbage.failure?.message).toMatch(/offset 0/);
  });

  it('orders failures as OpenSSL does: extension checks before signature and validity', async () => {
    // Purpose (check_chain) comes before time (internal_verify), even though the time check is on the leaf.
    const asClient = await validateChain({ presented: [cert('leaf-server.pem'), inter], anchors: [root], time: new Date('2040-01-01T00:00:00Z'), purpose: 'clientAuth' });
    expect(asClient.failures.map((f) => f.code)).toEqual(['eku-missing', 'expired']);
  });
});

describe('chain helpers', () => {
  it('isIssuedBy / isSelfSigned / checkChainOrder', () => {
    expect(isIssuedBy(leafClient, inter)).toBe(true);
    expect(isIssuedBy(leafClient, root)).toBe(false);
    expect(isIssuedBy(inter, root)).toBe(true);
    expect(isSelfSigned(root)).toBe(true);
    expect(isSelfSigned(inter)).toBe(false);
    expect(checkChainOrder([leafClient, inter, root])).toEqual({ ordered: true, firstBreak: null, undecodable: [] });
    expect(checkChainOrder([leafClient, root, inter])).toEqual({ ordered: false, firstBreak: 0, undecodable: [] });
    expect(checkChainOrder([leafClient, new Uint8Array([1, 2, 3])]).undecodable).toEqual([1]);
  });
});
