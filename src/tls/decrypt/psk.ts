import { inspect } from 'node:util';

/** Longest PSK accepted (RFC 4279 allows up to 2^16-1 bytes; real ones are 16-64). */
const MAX_PSK_LENGTH = 1024;

/** Why a --psk value or --psk-file line was refused; never quotes the key. */
export class PskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PskError';
  }
}

/**
 * Pre-shared keys for TLS 1.2 PSK suites (RFC 4279): each for one identity, or for any identity
 * (--psk <hex>). A --psk-file holds one key a line, `identity hex` or `hex` alone; `#` starts a comment.
 */
export class PskSet {
  private readonly byIdentity = new Map<string, Uint8Array>();
  private readonly anyIdentity: Uint8Array[] = [];

  get size(): number {
    return this.byIdentity.size + this.anyIdentity.length;
  }

  /** Adds a key given as hex; `identity` null: for any identity. Throws PskError. */
  add(hex: string, identity: string | null, where: string): void {
    const clean = hex.trim();
    if (clean.length === 0 || clean.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(clean) || clean.length / 2 > MAX_PSK_LENGTH) {
      throw new PskError(`${where}: expected the PSK as an even number of hex digits (at most ${MAX_PSK_LENGTH} bytes)`);
    }
    const key = Uint8Array.from(Buffer.from(clean, 'hex'));
    if (identity === null) this.anyIdentity.push(key);
    else this.byIdentity.set(Buffer.from(identity, 'utf8').toString('latin1'), key);
  }

  /** Reads a --psk-file's text. Throws PskError naming the line. */
  addFile(text: string, source: string): void {
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.replace(/#.*$/, '').trim();
      if (line === '') continue;
      const fields = line.split(/\s+/);
      if (fields.length > 2) throw new PskError(`${source} line ${i + 1}: expected "identity hex" or "hex"`);
      if (fields.length === 2) this.add(fields[1]!, fields[0]!, `${source} line ${i + 1}`);
      else this.add(fields[0]!, null, `${source} line ${i + 1}`);
    }
  }

  /** The keys to try for a ClientKeyExchange's identity: the identity's own, else those for any identity. */
  forIdentity(identity: Uint8Array): Uint8Array[] {
    const own = this.byIdentity.get(Buffer.from(identity).toString('latin1'));
    return own !== undefined ? [own] : this.anyIdentity;
  }

  [inspect.custom](): string {
    return `PskSet { keys: ${this.size} }`;
  }

  toJSON(): { keys: number } {
    return { keys: this.size };
  }
}
