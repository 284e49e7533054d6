/**
 * How one side's records are protected as its handshake moves on: a state machine per side, driven by the
 * ServerHello, ChangeCipherSpec, EndOfEarlyData, Finished, KeyUpdate and the outcome of each decryption.
 */
import type { RecordDecryptor } from './keys.js';

/** The keys one side's records are read with now. */
export type Protection =
  /** Cleartext: before the ServerHello (TLS 1.3) or before the side's ChangeCipherSpec (TLS 1.0-1.2). */
  | { readonly state: 'plain' }
  /** Encrypted, and no key opens it: none was found, or the one found failed. */
  | { readonly state: 'opaque' }
  /**
   * Read with the side's handshake or application keys. `opened`: a record of the side decrypted, so a later
   * failure is a key mismatch, not 0-RTT data the server skipped.
   */
  | { readonly state: 'keys'; readonly decryptor: RecordDecryptor; opened: boolean }
  /** The client's 0-RTT keys: the server accepted early data; until the client's EndOfEarlyData. */
  | { readonly state: 'early'; readonly decryptor: RecordDecryptor; opened: boolean };

const PLAIN: Protection = { state: 'plain' };
const OPAQUE: Protection = { state: 'opaque' };

export class SideProtection {
  private now: Protection = PLAIN;
  /** TLS 1.0-1.2: what this side's next ChangeCipherSpec switches to (keys, or 'opaque' without them). */
  private atChangeCipherSpec: RecordDecryptor | 'opaque' | null = null;
  /** The side sent its Finished (read, or told by its place: the first encrypted handshake record, TLS 1.0-1.2). */
  private sentFinished = false;

  get current(): Protection {
    return this.now;
  }

  /** The decryptor in use (handshake, application or 0-RTT keys), or null (plain, or no key). */
  get decryptor(): RecordDecryptor | null {
    return this.now.state === 'keys' || this.now.state === 'early' ? this.now.decryptor : null;
  }

  get finished(): boolean {
    return this.sentFinished;
  }

  /** TLS 1.3's ServerHello: from here the side encrypts its handshake, with these keys or none we have. */
  startEncrypting(decryptor: RecordDecryptor | null): void {
    this.now = decryptor === null ? OPAQUE : { state: 'keys', decryptor, opened: false };
  }

  /** TLS 1.0-1.2: the keys (or 'opaque') this side switches to at its next ChangeCipherSpec. */
  expectChangeCipherSpec(next: RecordDecryptor | 'opaque'): void {
    this.atChangeCipherSpec = next;
  }

  /** TLS 1.0-1.2: the side's ChangeCipherSpec switched to the keys announced (opaque when none were). */
  changeCipherSpec(): void {
    const next = this.atChangeCipherSpec ?? 'opaque';
    this.atChangeCipherSpec = null;
    this.switchTo(next === 'opaque' ? null : next);
  }

  /** A record decrypted with the keys in use. */
  decrypted(): void {
    if (this.now.state === 'keys' || this.now.state === 'early') this.now.opened = true;
  }

  /** A record failed to decrypt as anything but skipped 0-RTT data: the keys do not fit; the rest is opaque. */
  failed(): void {
    this.now = OPAQUE;
  }

  /**
   * Client: the server accepted 0-RTT, and nothing of the client decrypted yet with the handshake keys: its
   * records are early data under these keys until EndOfEarlyData. True when the side took them.
   */
  acceptEarlyData(decryptor: () => RecordDecryptor | null): boolean {
    if ((this.now.state !== 'keys' && this.now.state !== 'early') || this.now.opened) return false;
    const early = decryptor();
    if (early === null) return false;
    this.now = { state: 'early', decryptor: early, opened: false };
    return true;
  }

  /** Client: EndOfEarlyData; its next records use its handshake keys. */
  endOfEarlyData(handshake: RecordDecryptor | null): void {
    if (this.now.state === 'early') this.switchTo(handshake);
  }

  /** The side's Finished; TLS 1.3 gives the application keys it switches to (`next`), TLS 1.0-1.2 nothing. */
  finish(next?: { application: RecordDecryptor | null }): void {
    this.sentFinished = true;
    if (next !== undefined) this.switchTo(next.application);
  }

  /** TLS 1.0-1.2 without keys: the side's first encrypted handshake record, its Finished by its place. */
  finishUnread(): void {
    this.sentFinished = true;
  }

  /** TLS 1.3 KeyUpdate: a side read with keys moves to its next application secret. */
  keyUpdate(next: () => RecordDecryptor | null): void {
    if (this.decryptor !== null) this.switchTo(next());
  }

  /** New keys for the side (or none we have): a record decrypted before still counts as opened. */
  private switchTo(decryptor: RecordDecryptor | null): void {
    const opened = (this.now.state === 'keys' || this.now.state === 'early') && this.now.opened;
    this.now = decryptor === null ? OPAQUE : { state: 'keys', decryptor, opened };
  }
}
