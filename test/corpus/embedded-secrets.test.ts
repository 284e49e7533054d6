import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { tempDir } from '../temp-dir.js';
import { repoPath } from '../repo.js';

const CAPTURE = repoPath('captures', 'formats', 'with-secrets.pcapng');
const DECRYPTION_SECRETS_BLOCK = 0x0000000a;

/** The blocks of a little-endian pcapng file, as [type, bytes] in file order. */
function blocks(file: Uint8Array): Array<{ type: number; bytes: Uint8Array }> {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  expect(view.getUint32(8, true)).toBe(0x1a2b3c4d);
  const out: Array<{ type: number; bytes: Uint8Array }> = [];
  for (let at = 0; at < file.length; ) {
    const length = view.getUint32(at + 4, true);
    out.push({ type: view.getUint32(at, true), bytes: file.subarray(at, at + length) });
    at += length;
  }
  return out;
}

describe('key logs embedded in pcapng (Decryption Secrets Blocks)', () => {
  it('decrypts a TLS 1.3 handshake with no --keylog', async () => {
    const result = await analyze(CAPTURE);
    const connection = result.connections[0]!;
    expect(connection.version).toBe('TLS 1.3');
    expect(connection.encryptedHandshake).toBe(false);
    expect(connection.serverCertificates?.length).toBe(1);
  });

  it('gives the same answer when the secrets block comes after the packets it unlocks', async () => {
    // The same real capture with its DSB moved to the end of the file, as some tools append it.
    const original = blocks(readFileSync(CAPTURE));
    const secrets = original.filter((b) => b.type === DECRYPTION_SECRETS_BLOCK);
    expect(secrets.length).toBe(1);
    const reordered = [...original.filter((b) => b.type !== DECRYPTION_SECRETS_BLOCK), ...secrets];
    const moved = join(tempDir('tlsdiag-dsb-'), 'late-secrets.pcapng');
    writeFileSync(moved, Buffer.concat(reordered.map((b) => b.bytes)));

    const before = await analyze(CAPTURE);
    const after = await analyze(moved);
    const strip = (r: typeof before) => r.connections.map(({ file: _file, ...rest }) => rest);
    expect(strip(after)).toEqual(strip(before));
    expect(after.connections[0]!.encryptedHandshake).toBe(false);
  });

  it('warns once per secrets block type it does not read, and still decrypts with the TLS key log', async () => {
    // The real capture with secrets blocks of other types appended (WireGuard twice, a type no one registered).
    const block = (secretsType: number, data: Uint8Array): Buffer => {
      const padded = (data.length + 3) & ~3;
      const out = Buffer.alloc(20 + padded + 4);
      out.writeUInt32LE(DECRYPTION_SECRETS_BLOCK, 0);
      out.writeUInt32LE(out.length, 4);
      out.writeUInt32LE(secretsType, 8);
      out.writeUInt32LE(data.length, 12);
      Buffer.from(data).copy(out, 16);
      out.writeUInt32LE(out.length, out.length - 4);
      return out;
    };
    const file = join(tempDir('tlsdiag-dsb-'), 'other-secrets.pcapng');
    const other = new TextEncoder().encode('LOCAL_STATIC_PRIVATE_KEY = not-a-real-key\n');
    writeFileSync(file, Buffer.concat([readFileSync(CAPTURE), block(0x57474b4c, other), block(0x57474b4c, other), block(0x12345678, other)]));
    const result = await analyze(file);
    expect(result.connections[0]!.encryptedHandshake).toBe(false);
    expect(result.warnings.map((w) => w.message)).toEqual([
      'decryption secrets of type 0x57474b4c (WireGuard key log) are not a TLS key log; ignored',
      'decryption secrets of type 0x12345678 are not a TLS key log; ignored',
    ]);
  });
});
