import { createHash } from 'node:crypto';
import { concat } from './aead.js';
import { ssl3KeyBlock, tls10Prf, tls12Prf } from './prf.js';
import { SSL_3_0, TLS_1_2 } from './tls12.js';

export interface MasterSecretParams {
  /** Negotiated version, 0x0301-0x0303. */
  version: number;
  /** The suite's PRF hash (TLS 1.2 only; TLS 1.0/1.1 use MD5 and SHA-1). */
  prfHash: 'sha256' | 'sha384';
  premaster: Uint8Array;
  clientRandom: Uint8Array;
  serverRandom: Uint8Array;
  /**
   * extended_master_secret (RFC 7627): the handshake messages from ClientHello through ClientKeyExchange,
   * each with its 4-byte header; null when the extension was not negotiated.
   */
  transcript: Uint8Array[] | null;
}

/** The SSL 3.0-TLS 1.2 master secret from a premaster secret (RFC 6101 §6.1, RFC 5246 §8.1, RFC 7627 §4). */
export function masterSecret(params: MasterSecretParams): Uint8Array {
  if (params.version === SSL_3_0) return ssl3KeyBlock(params.premaster, concat(params.clientRandom, params.serverRandom), 48);
  const prf = (label: string, seed: Uint8Array): Uint8Array =>
    params.version === TLS_1_2 ? tls12Prf(params.prfHash, params.premaster, label, seed, 48) : tls10Prf(params.premaster, label, seed, 48);
  if (params.transcript === null) return prf('master secret', concat(params.clientRandom, params.serverRandom));
  return prf('extended master secret', sessionHash(params.version, params.prfHash, params.transcript));
}

/** RFC 7627 §3: the PRF hash of the transcript in TLS 1.2, MD5 || SHA-1 of it before. */
function sessionHash(version: number, prfHash: 'sha256' | 'sha384', transcript: Uint8Array[]): Uint8Array {
  const digest = (name: string): Buffer => {
    const hash = createHash(name);
    for (const part of transcript) hash.update(part);
    return hash.digest();
  };
  return version === TLS_1_2 ? digest(prfHash) : concat(digest('md5'), digest('sha1'));
}
