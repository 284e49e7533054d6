import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { ByteKeyedCache } from '../../x509/byte-cache.js';
import { DerError } from '../../x509/der.js';
import { pkcs12KeyBags } from './pkcs12.js';

/** Server certificates whose public key was compared, kept so a busy capture compares each once. */
const CERTIFICATE_CACHE_LIMIT = 1024;

/** One private key given with --key, and the file it came from (the only thing ever said about it). */
export interface ServerKey {
  source: string;
  key: KeyObject;
  /** The public key as SubjectPublicKeyInfo DER, to match certificates by. */
  spki: Buffer;
}

/** Why a key file gave no usable key; never quotes the file's content. */
export class ServerKeyError extends Error {
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
    this.name = 'ServerKeyError';
  }
}

const PEM_BLOCK = /-----BEGIN ((?:RSA |ENCRYPTED |EC )?PRIVATE KEY)-----[\s\S]*?-----END \1-----/g;

/**
 * The RSA private keys of a --key file: PEM (PKCS#1 `RSA PRIVATE KEY`, PKCS#8 `PRIVATE KEY`, encrypted
 * PKCS#8 `ENCRYPTED PRIVATE KEY` or a legacy encrypted PKCS#1 with its DEK-Info), DER PKCS#8/PKCS#1, or
 * PKCS#12 (.p12/.pfx). The password opens encrypted PEM and PKCS#12. Throws ServerKeyError.
 */
export function loadServerKeys(bytes: Uint8Array, source: string, password: string | undefined): ServerKey[] {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const candidates: Array<() => KeyObject> = [];
  if (text.includes('-----BEGIN')) {
    for (const match of text.matchAll(PEM_BLOCK)) {
      const pem = match[0];
      candidates.push(() => createPrivateKey({ key: pem, format: 'pem', passphrase: password }));
    }
    if (candidates.length === 0) throw new ServerKeyError(source, 'no PRIVATE KEY block in this PEM file');
  } else {
    const der = Buffer.from(bytes);
    let bags: ReturnType<typeof pkcs12KeyBags> | null = null;
    try {
      bags = pkcs12KeyBags(der);
    } catch (error) {
      if (!(error instanceof DerError)) throw error;
    }
    if (bags !== null) {
      if (bags.keys.length === 0) {
        const where = bags.encryptedContents > 0 ? ' outside its encrypted safe contents (key bags inside them are not read)' : '';
        throw new ServerKeyError(source, `PKCS#12 file without a private key${where}`);
      }
      for (const bag of bags.keys) {
        const key = Buffer.from(bag.der);
        candidates.push(() => createPrivateKey({ key, format: 'der', type: 'pkcs8', passphrase: bag.encrypted ? (password ?? '') : undefined }));
      }
    } else {
      candidates.push(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs8', passphrase: password }));
      candidates.push(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs1' }));
    }
  }
  const keys: ServerKey[] = [];
  let failure: string | null = null;
  let other: string | null = null;
  for (const candidate of candidates) {
    let key: KeyObject;
    try {
      key = candidate();
    } catch (error) {
      failure ??= keyFailure(error, password);
      continue;
    }
    if (key.asymmetricKeyType !== 'rsa') {
      other ??= key.asymmetricKeyType ?? 'unknown';
      continue;
    }
    const spki = Buffer.from(createPublicSpki(key));
    if (!keys.some((k) => k.spki.equals(spki))) keys.push(withHiddenKey({ source, key, spki }));
  }
  if (keys.length > 0) return keys;
  if (other !== null) throw new ServerKeyError(source, `holds a ${other} key, not RSA: only the RSA key exchange is opened by a private key`);
  throw new ServerKeyError(source, failure ?? 'not a private key (PEM, DER PKCS#8/PKCS#1 or PKCS#12 expected)');
}

function createPublicSpki(key: KeyObject): Buffer {
  return Buffer.from(createPublicKey(key).export({ format: 'der', type: 'spki' }));
}

function keyFailure(error: unknown, password: string | undefined): string {
  const code = (error as { code?: string }).code;
  if (code === 'ERR_MISSING_PASSPHRASE') return 'the key is encrypted: give its password with --key-password or TLSDIAG_KEY_PASSWORD';
  if (password !== undefined) return 'cannot decrypt the key: wrong password, or an encryption Node cannot open';
  return 'not a private key Node can read (PEM, DER PKCS#8/PKCS#1 or PKCS#12 expected; an encrypted one needs --key-password)';
}

/** Printing or serialising a key entry shows where it came from, never the key. */
function withHiddenKey(entry: ServerKey): ServerKey {
  Object.defineProperty(entry, inspect.custom, { value: () => `ServerKey { source: ${entry.source} }`, enumerable: false });
  Object.defineProperty(entry, 'toJSON', { value: () => ({ source: entry.source }), enumerable: false });
  return entry;
}

/** The --key files' RSA keys, matched to a session by the public key of its server certificate. */
export class ServerKeyRing {
  private readonly keys: ServerKey[] = [];
  private readonly byCertificate = new ByteKeyedCache<ServerKey | null>(CERTIFICATE_CACHE_LIMIT);

  add(keys: ServerKey[]): void {
    for (const key of keys) if (!this.keys.some((k) => k.spki.equals(key.spki))) this.keys.push(key);
  }

  get size(): number {
    return this.keys.length;
  }

  get all(): readonly ServerKey[] {
    return this.keys;
  }

  /** The key whose public key is the certificate's (DER), or null (other key, not RSA, unreadable). */
  forCertificate(der: Uint8Array): ServerKey | null {
    if (this.keys.length === 0) return null;
    const cached = this.byCertificate.get(der);
    if (cached !== undefined) return cached;
    let found: ServerKey | null = null;
    try {
      const spki = Buffer.from(new X509Certificate(der).publicKey.export({ format: 'der', type: 'spki' }));
      found = this.keys.find((k) => k.spki.equals(spki)) ?? null;
    } catch {
      found = null;
    }
    this.byCertificate.set(der, found);
    return found;
  }

  [inspect.custom](): string {
    return `ServerKeyRing { keys: ${this.keys.length} }`;
  }

  toJSON(): { keys: number } {
    return { keys: this.keys.length };
  }
}
