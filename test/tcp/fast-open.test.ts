/**
 * TCP Fast Open (RFC 7413) on hand-built captures (test/wire/old-wire-formats.ts): the ClientHello rides in the
 * SYN, and a SYN answered by two SYN-ACKs of different ISNs, of which the client acknowledges one.
 */
import { describe, expect, it } from 'vitest';
import { KeyLog } from '../../src/tls/decrypt/index.js';
import { runPipeline } from '../hostile/pipeline.js';
import { conversationCapture, draftConversation, SERVER_ISN, type TcpOptions } from '../wire/old-wire-formats.js';

const TLS_1_3 = 0x0304;

async function analyse(options: TcpOptions, withKeys = false) {
  const conversation = draftConversation(TLS_1_3);
  const keys = new KeyLog();
  if (withKeys) keys.addText(conversation.keyLog);
  const result = await runPipeline(conversationCapture(conversation.flights, { fastOpen: true, ...options }), keys);
  expect(result.connections).toHaveLength(1);
  return { ...result, report: result.connections[0]! };
}

describe('TCP Fast Open', () => {
  it('the ClientHello carried in the SYN is read (frame 1), and the TLS 1.3 connection after it', async () => {
    const { report, stream } = await analyse({});
    expect(report.timeline[0]).toMatchObject({ frame: 1, from: 'client', kind: 'ClientHello' });
    expect(report.version).toBe('TLS 1.3');
    expect(report.history).toBe('CsiqIQq');
    expect(report.captureProblems).toEqual([]);
    expect(stream.reassembly.gaps).toBe(0);
  });

  it('a retransmitted SYN with the same data is the same connection, its data not read twice', async () => {
    const { report, stream } = await analyse({ retransmitSyn: true });
    expect(stream.reassembly.connections).toBe(1);
    expect(report.history).toBe('CsiqIQq');
    expect(report.timeline.filter((e) => e.kind === 'ClientHello')).toHaveLength(1);
  });

  // The stale ISN is 1.18 GB before the real one: following it made the server's first bytes look 1.18 GB late.
  const PHANTOM_DISTANCE = 0x46555555;
  it.each([
    ['before the real one, 1.18 GB behind', SERVER_ISN - PHANTOM_DISTANCE, false],
    ['before the real one, ahead of it', SERVER_ISN + PHANTOM_DISTANCE, false],
    ['after the real one', SERVER_ISN - PHANTOM_DISTANCE, true],
  ])('two SYN-ACKs of different ISNs, the stale one %s: the acknowledged one is followed, no phantom gap', async (_what, staleIsn, staleLast) => {
    const { report, stream } = await analyse({ staleSynAckIsn: staleIsn >>> 0, staleSynAckLast: staleLast }, true);
    expect(stream.reassembly.gaps).toBe(0);
    expect(report.captureProblems).toEqual([]);
    expect(report.timeline.some((e) => e.kind === 'CaptureGap' || e.summary.includes('missing'))).toBe(false);
    expect(report.version).toBe('TLS 1.3');
    expect(report.decrypted).toBe(true);
    expect(report.history).toBe('CsioxyfIFDd');
    expect(report.established).toBe(true);
    expect(report.applicationBytes.server).toBeGreaterThan(0);
  });
});
