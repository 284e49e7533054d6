import { inspect } from 'node:util';
import type { KeyExchangeOpener, KeyExchangeParams, Tls12Keys } from '../keys.js';
import { cipherSuiteParams } from './cipher-suites.js';
import { masterSecret } from './master-secret.js';
import type { PskSet } from './psk.js';
import { decryptPremaster, PREMASTER_LENGTH } from './rsa.js';
import type { ServerKey, ServerKeyRing } from './server-keys.js';
import { SSL_3_0, tls12Decryptors } from './tls12.js';
import { toHex } from '../../util/bytes.js';

/** Sessions remembered for resumption, per capture file (oldest forgotten first). */
const MAX_REMEMBERED_SESSIONS = 10_000;

export interface KeyExchangeSecrets {
  serverKeys: ServerKeyRing;
  psks: PskSet;
}

export interface CaptureKeyExchangeOpener extends KeyExchangeOpener {
  /** The --key files none of whose keys matched a server certificate of the capture so far. */
  unmatchedKeyFiles(): string[];
}

/**
 * The KeyExchangeOpener of one capture file: the RSA key exchange (TLS_RSA_*) with the private key whose
 * public key is the server certificate's, TLS_PSK_* with the PSK of the client's identity, TLS_RSA_PSK_*
 * with both (RFC 4279 §2-4). The master secret comes out as a key log would give it, and the same
 * decryptors are built from it. (EC)DHE suites are not openable: their premaster never crosses the wire.
 */
export function createKeyExchangeOpener(secrets: KeyExchangeSecrets): CaptureKeyExchangeOpener {
  const { serverKeys, psks } = secrets;
  const matched = new Set<ServerKey>();
  const sessions = new Map<string, Uint8Array>();

  const keyExchangeOf = (suite: number): string | undefined => cipherSuiteParams(suite)?.keyExchange;

  const decryptors = (params: KeyExchangeParams, master: Uint8Array): Tls12Keys | null =>
    tls12Decryptors({
      suite: params.cipherSuite,
      version: params.version,
      masterSecret: master,
      clientRandom: params.clientRandom,
      serverRandom: params.serverRandom,
      encryptThenMac: params.encryptThenMac,
    });

  const opener: CaptureKeyExchangeOpener & { [inspect.custom](): string; toJSON(): object } = {
    canOpen(suite) {
      const kx = keyExchangeOf(suite);
      if (kx === 'rsa') return serverKeys.size > 0;
      if (kx === 'psk') return psks.size > 0;
      if (kx === 'rsa_psk') return serverKeys.size > 0 && psks.size > 0;
      return false;
    },
    noteServerCertificate(der) {
      const key = serverKeys.forCertificate(der);
      if (key !== null) matched.add(key);
    },
    open(params) {
      const suite = cipherSuiteParams(params.cipherSuite);
      if (suite === undefined || suite.tls13) return null;
      const premaster = premasterFor(suite.keyExchange, params.clientKeyExchange, params.serverCertificate, params.version);
      if (premaster === null) return null;
      const master = masterSecret({
        version: params.version,
        prfHash: suite.prfHash,
        premaster,
        clientRandom: params.clientRandom,
        serverRandom: params.serverRandom,
        transcript: params.transcript,
      });
      premaster.fill(0);
      if (params.sessionId.length > 0) {
        const id = toHex(params.sessionId);
        sessions.delete(id);
        if (sessions.size >= MAX_REMEMBERED_SESSIONS) sessions.delete(sessions.keys().next().value!);
        sessions.set(id, master);
      }
      return decryptors(params, master);
    },
    resume(params) {
      if (params.sessionId.length === 0) return null;
      const master = sessions.get(toHex(params.sessionId));
      return master === undefined ? null : decryptors(params, master);
    },
    unmatchedKeyFiles() {
      const files = new Map<string, boolean>();
      for (const key of serverKeys.all) files.set(key.source, (files.get(key.source) ?? false) || matched.has(key));
      return [...files].filter(([, any]) => !any).map(([file]) => file);
    },
    [inspect.custom]: () => `KeyExchangeOpener { keys: ${serverKeys.size}, psks: ${psks.size} }`,
    toJSON: () => ({ keys: serverKeys.size, psks: psks.size }),
  };
  return opener;

  function premasterFor(kx: string, body: Uint8Array, certificate: Uint8Array | null, version: number): Uint8Array | null {
    // SSL 3.0 sends the RSA-encrypted secret without its length (RFC 6101 §5.6.7.1); some stacks add it anyway.
    if (kx === 'rsa') return rsaPremaster(body, certificate, version !== SSL_3_0 || vector16(body, 0)?.end === body.length);
    if (kx === 'psk') {
      const identity = vector16(body, 0);
      if (identity === null) return null;
      const psk = psks.forIdentity(identity.value)[0];
      // other_secret: as many zero bytes as the PSK has (RFC 4279 §2).
      return psk === undefined ? null : pskPremaster(new Uint8Array(psk.length), psk);
    }
    if (kx === 'rsa_psk') {
      const identity = vector16(body, 0);
      if (identity === null) return null;
      const psk = psks.forIdentity(identity.value)[0];
      const secret = rsaPremaster(body.subarray(identity.end), certificate, true);
      return psk === undefined || secret === null ? null : pskPremaster(secret, psk);
    }
    return null;
  }

  /** The RSA-encrypted 48-byte secret of a ClientKeyExchange (TLS 1.0+: with its 2-byte length). */
  function rsaPremaster(body: Uint8Array, certificate: Uint8Array | null, lengthPrefixed: boolean): Uint8Array | null {
    if (certificate === null) return null;
    const key = serverKeys.forCertificate(certificate);
    if (key === null) return null;
    matched.add(key);
    let encrypted = body;
    if (lengthPrefixed) {
      const vector = vector16(body, 0);
      if (vector === null) return null;
      encrypted = vector.value;
    }
    return decryptPremaster(key.key, encrypted, PREMASTER_LENGTH);
  }
}

/** RFC 4279 §2: uint16 length, other_secret, uint16 length, psk. */
function pskPremaster(other: Uint8Array, psk: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + other.length + psk.length);
  out[0] = other.length >> 8;
  out[1] = other.length & 0xff;
  out.set(other, 2);
  out[2 + other.length] = psk.length >> 8;
  out[3 + other.length] = psk.length & 0xff;
  out.set(psk, 4 + other.length);
  return out;
}

function vector16(bytes: Uint8Array, at: number): { value: Uint8Array; end: number } | null {
  if (at + 2 > bytes.length) return null;
  const length = (bytes[at]! << 8) | bytes[at + 1]!;
  if (at + 2 + length > bytes.length) return null;
  return { value: bytes.subarray(at + 2, at + 2 + length), end: at + 2 + length };
}
