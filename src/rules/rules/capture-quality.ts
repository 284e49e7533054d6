import type { StreamGapEvent } from '../../tls/events.js';
import type { CatalogEntry, FindingDraft, Rule } from '../types.js';

/** The catalog entries of the findings this module's rules produce (docs/findings.md is rendered from them). */
export const captureQualityFindings = [
  {
    id: 'capture-truncated',
    about: 'capture',
    severity: 'warning',
    title: 'The capture cut the packets short (snaplen): the handshake cannot be read',
    meaning: 'Every handshake packet of the connection lost bytes from the first one on: the snapshot length of the capture was smaller than the packets. The handshake may well have succeeded; tlsdiag cannot tell.',
    evidence: 'The frames that lost bytes and how many.',
    remedy: 'Capture again with the whole packets: tcpdump -s 0 (or -s 65535), dumpcap/tshark without -s.',
  },
  {
    id: 'capture-gap',
    about: 'capture',
    severity: 'warning',
    title: 'The capture lost segments inside the handshake',
    meaning: 'Bytes of the handshake are missing from the capture (dropped by the capturing host or not seen on that interface); the messages after the gap cannot be parsed.',
    evidence: 'The frames where bytes are missing, how many, and on which side.',
    remedy: 'Capture again with a larger buffer (tcpdump -B), -U --immediate-mode, a filter on the port, on the host itself.',
  },
  {
    id: 'capture-started-mid-handshake',
    about: 'capture',
    severity: 'warning',
    title: 'The capture starts after the ClientHello',
    meaning: 'The capture holds no ClientHello (and no SYN) for the connection: it began after the handshake started, so versions, suites and keys cannot be known.',
    evidence: 'The first frame seen of the connection; whether the SYN was captured.',
    remedy: 'Start the capture before the client connects (or make the client reconnect).',
  },
  {
    id: 'capture-ended-mid-handshake',
    about: 'capture',
    severity: 'info',
    title: 'The capture ends before the handshake completed or the connection closed',
    meaning:
      'The last packet of this connection in the capture is inside the handshake, with no alert and no FIN or RST after it: the capture was stopped (or cut with editcap, head, a ring buffer) before the peers finished. How the handshake ended is not in the capture; it is not a failure.',
    evidence: 'The last frame of the connection and the last handshake message seen.',
    remedy: 'Capture until the connection has ended (stop tcpdump after the client reports success or the error), with -U --immediate-mode so that no buffered packet is lost.',
  },
  {
    id: 'not-understood',
    about: 'capture',
    severity: 'info',
    title: 'tlsdiag could not read what was sent on this connection',
    meaning:
      'A peer sent something tlsdiag does not read: a message larger than one of tlsdiag\'s own limits, or a protocol variant it does not parse. The peers may well have understood each other; tlsdiag cannot say how the connection ended.',
    evidence: 'What could not be read, and the limit or variant named.',
    remedy: 'Nothing to fix between the peers on this evidence. Open the capture in Wireshark for this connection; if a tlsdiag limit was hit, report it with the capture.',
  },
] as const satisfies readonly CatalogEntry[];

/**
 * What the capture itself hides: packets cut by the snapshot length, segments lost inside the handshake,
 * and captures that begin after the ClientHello.
 */
export const captureQuality: Rule = {
  produces: ['capture-truncated', 'capture-gap', 'capture-started-mid-handshake', 'capture-ended-mid-handshake', 'not-understood'],
  run({ connection, facts, report }) {
    const drafts: FindingDraft[] = [];
    const gaps = connection.events.filter((e): e is StreamGapEvent => e.kind === 'gap' && e.inHandshake);
    const sides = new Set(gaps.map((g) => g.side));
    // Snaplen cuts every large packet from the first one on; lost segments come and go.
    const cutFromTheStart = [...sides].every((side) => connection.events.find((e) => e.side === side && e.kind !== 'close')?.kind === 'gap');
    const frames = [...new Set(gaps.map((g) => g.frame))].slice(0, 12);
    const missing = gaps.reduce((n, g) => n + g.missing, 0);
    if (gaps.length >= 2 && cutFromTheStart) {
      drafts.push({
        id: 'capture-truncated',
        explanation: `The capture holds only the start of this connection's packets: ${gaps.length} handshake packets lost ${missing} bytes, from the very first one on (frames ${frames.join(', ')}${gaps.length > frames.length ? ', …' : ''}). The capture's snapshot length (snaplen) cut them, so the TLS messages cannot be read and nothing can be said about the handshake.`,
        evidence: { frames, fields: { gaps: gaps.length, missing_bytes: missing } },
      });
    } else if (gaps.length > 0) {
      drafts.push({
        id: 'capture-gap',
        explanation: `The capture lost ${missing} bytes of the handshake in ${gaps.length} place${gaps.length === 1 ? '' : 's'} (${gaps.map((g) => `frame ${g.frame}: ${g.missing} ${g.side} bytes`).slice(0, 6).join('; ')}); parsing of that side stopped there, so messages after it are not seen. Packets dropped by the capturing host (a busy tcpdump, a ring buffer, tcpdump stopped without --immediate-mode) look like this.`,
        evidence: { frames, fields: { gaps: gaps.length, missing_bytes: missing, sides: [...sides] } },
      });
    }
    if (connection.clientHello === null && gaps.length === 0 && connection.upgradeRefused === null) {
      const first = connection.events.find((e) => e.kind !== 'close');
      drafts.push({
        id: 'capture-started-mid-handshake',
        explanation: `The capture holds no ClientHello for this connection${connection.tcp.sawSyn ? '' : ' and no SYN'}: it started after the connection was set up${first ? ` (first TLS data: frame ${first.frame})` : ''}. The negotiated parameters and, for TLS 1.3 or a resumed session, the keys cannot be known.`,
        evidence: { frames: first ? [first.frame] : [], fields: { saw_syn: connection.tcp.sawSyn } },
      });
    }
    if (facts.outcome === 'incomplete' && drafts.length === 0) {
      const last = report.timeline.filter((e) => e.kind !== 'FIN' && e.kind !== 'RST').at(-1);
      drafts.push({
        id: 'capture-ended-mid-handshake',
        explanation: `The capture ends inside the handshake: the last packet of this connection is frame ${report.lastFrame}${last ? ` (${last.from} ${last.kind}, frame ${last.frame})` : ''}, with no alert, FIN or RST after it. The peers may have finished, or failed, after the capture stopped; the capture does not say.`,
        evidence: { frames: [report.lastFrame], fields: { history: report.history, last_message: last?.kind ?? null } },
      });
    }
    if (facts.outcome === 'not-understood' && facts.outcomeDetail !== null) {
      drafts.push({
        id: 'not-understood',
        explanation: `tlsdiag could not read this connection: ${facts.outcomeDetail}. This is tlsdiag's limit, not the peers' failure: how the connection ended is not known.`,
        evidence: { frames: [report.firstFrame], fields: { reason: facts.outcomeDetail } },
      });
    }
    return drafts;
  },
};
