import { describe, expect, it } from 'vitest';
import { ja3, ja3s } from '../../src/fingerprint/index.js';
import { parseHandshakeMessage } from '../../src/tls/handshake/index.js';
import type { ClientHello, ServerHello } from '../../src/tls/handshake/types.js';
import { loadFixtureMessages } from '../tls/handshake/fixtures.js';

/** JA3/JA3S of every real hello against Wireshark's own (tls.handshake.ja3_full / ja3 / ja3s_full / ja3s). */
const hellos = loadFixtureMessages().filter((m) => m.msgType === 1 || m.msgType === 2);

describe('JA3 and JA3S agree with tshark', () => {
  it('has hellos with tshark JA3 values', () => {
    expect(hellos.filter((m) => m.tshark['tls.handshake.ja3_full']).length).toBeGreaterThan(100);
    expect(hellos.filter((m) => m.tshark['tls.handshake.ja3s_full']).length).toBeGreaterThan(20);
  });

  for (const m of hellos) {
    it(`${m.where}`, () => {
      const parsed = parseHandshakeMessage(m.msgType, m.body, m.context);
      if (parsed.type === 'ClientHello') {
        const fp = ja3(parsed as ClientHello);
        expect(fp.ja3_string).toBe(m.tshark['tls.handshake.ja3_full']![0]);
        expect(fp.ja3).toBe(m.tshark['tls.handshake.ja3']![0]);
      } else {
        const fp = ja3s(parsed as ServerHello);
        expect(fp.ja3s_string).toBe(m.tshark['tls.handshake.ja3s_full']![0]);
        expect(fp.ja3s).toBe(m.tshark['tls.handshake.ja3s']![0]);
      }
    });
  }
});
