/**
 * HAND-BUILT captures of wire formats no living peer here speaks: pre-RFC 8446 TLS 1.3 (drafts, Google's
 * experiments, Facebook's drafts) and TCP Fast Open with two SYN-ACKs. No Debian package ships a TLS stack that
 * still negotiates a TLS 1.3 draft, and TCP Fast Open with a second SYN-ACK of another ISN needs a kernel and a
 * middlebox we cannot make misbehave on loopback. The bytes follow the layouts of the drafts themselves
 * (draft-ietf-tls-tls13-18 §4.1.3 ServerHello: version, random, cipher_suite, extensions; draft 22 and the
 * experiments: the RFC 8446 layout with supported_versions, BoringSSL's do_send_server_hello), Wireshark's
 * draft support (packet-tls-utils.c: HKDF label prefix "TLS 1.3, " before draft 20, empty AEAD additional data
 * before draft 25) and RFC 7413 (TCP Fast Open). Everything is built at test time; nothing here is committed
 * as a capture. The record protection is real AES-128-GCM under traffic secrets this file makes up, written
 * independently of src/ (its own HKDF-Expand-Label) so that decrypting with the key log tests src/.
 */
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ACK, concat, handshakeMessage, pcapOf, PSH_ACK, SYN, tcpPacket, u16, u24 } from '../hostile/craft.js';

const FIN_ACK = 0x11;
const CLIENT = 0x0a000001;
const SERVER = 0x0a000002;

/** What a pre-RFC TLS 1.3 version means on the wire, as this builder writes it. */
interface DraftLayout {
  /** The draft whose key schedule the version uses (Google's experiments: 18). */
  draft: number;
  /** ServerHello of drafts before 22: version = the draft's version, no session id, no compression. */
  legacyServerHello: boolean;
  /** key_share's extension number: 40 before draft 23, 51 from it. */
  keyShareType: number;
  /** Record version of encrypted records: 0x0301 before draft 22 (and Google's experiment 1), else 0x0303. */
  recordVersion: number;
  /** Middlebox-compatibility ChangeCipherSpec (draft 22 on, the experiments, Facebook's drafts). */
  ccs: boolean;
}

function layoutOf(version: number): DraftLayout {
  let draft: number;
  // RFC 8446 itself: draft 28's record protection and layout (for TCP tests that need a TLS 1.3 stream).
  if (version === 0x0304) draft = 28;
  else if (version >> 8 === 0x7f) draft = version & 0xff;
  else if (version === 0xfb17) draft = 23;
  else if (version === 0xfb1a) draft = 26;
  else if (version >> 8 === 0x7e) draft = 18;
  else throw new Error(`not a TLS 1.3 draft or experiment: 0x${version.toString(16)}`);
  const experiment = version >> 8 === 0x7e;
  return {
    draft,
    legacyServerHello: !experiment && version >> 8 === 0x7f && draft < 22,
    keyShareType: draft >= 23 ? 51 : 40,
    recordVersion: draft >= 22 || version >> 8 === 0xfb || version === 0x7e02 || version === 0x7e03 ? 0x0303 : 0x0301,
    ccs: draft >= 22 || experiment || version >> 8 === 0xfb,
  };
}

function extension(type: number, data: Uint8Array): Uint8Array {
  return concat([u16(type), u16(data.length), data]);
}

function vector8(data: Uint8Array): Uint8Array {
  return concat([Uint8Array.of(data.length), data]);
}

function vector16(data: Uint8Array): Uint8Array {
  return concat([u16(data.length), data]);
}

function vector24(data: Uint8Array): Uint8Array {
  return concat([u24(data.length), data]);
}

function record(contentType: number, version: number, fragment: Uint8Array): Uint8Array {
  return concat([Uint8Array.of(contentType, version >> 8, version & 0xff), u16(fragment.length), fragment]);
}

/** HKDF-Expand-Label of the drafts: the prefix is "TLS 1.3, " before draft 20, "tls13 " from it. */
function expandLabel(secret: Uint8Array, label: string, length: number, draft: number): Uint8Array {
  const full = Buffer.from(`${draft < 20 ? 'TLS 1.3, ' : 'tls13 '}${label}`);
  const info = concat([u16(length), vector8(full), Uint8Array.of(0)]);
  const block = createHmac('sha256', secret).update(info).update(Uint8Array.of(1)).digest();
  return block.subarray(0, length);
}

/** One direction's record protection under one traffic secret (TLS_AES_128_GCM_SHA256). */
class Protector {
  private seq = 0n;
  private readonly key: Uint8Array;
  private readonly iv: Uint8Array;

  constructor(
    secret: Uint8Array,
    private readonly layout: DraftLayout,
  ) {
    this.key = expandLabel(secret, 'key', 16, layout.draft);
    this.iv = expandLabel(secret, 'iv', 12, layout.draft);
  }

  protect(innerType: number, content: Uint8Array): Uint8Array {
    const inner = concat([content, Uint8Array.of(innerType)]);
    const length = inner.length + 16;
    const header = Uint8Array.of(23, this.layout.recordVersion >> 8, this.layout.recordVersion & 0xff, length >> 8, length & 0xff);
    const nonce = Uint8Array.from(this.iv);
    for (let i = 0; i < 8; i++) nonce[11 - i]! ^= Number((this.seq >> BigInt(8 * i)) & 0xffn);
    this.seq++;
    const cipher = createCipheriv('aes-128-gcm', this.key, nonce);
    // The record header became the additional data in draft 25; before it the additional data was empty.
    if (this.layout.draft >= 25) cipher.setAAD(header);
    const body = concat([cipher.update(inner), cipher.final(), cipher.getAuthTag()]);
    return concat([header, body]);
  }
}

export function leafCertificateDer(): Uint8Array {
  const pem = readFileSync(new URL('../fixtures/x509/leaf-server.pem', import.meta.url), 'utf8');
  const base64 = pem.split('-----BEGIN CERTIFICATE-----')[1]!.split('-----END CERTIFICATE-----')[0]!.replace(/\s/g, '');
  return new Uint8Array(Buffer.from(base64, 'base64'));
}

/** One side's bytes in a conversation, in the order they went on the wire. */
export interface Flight {
  from: 'client' | 'server';
  bytes: Uint8Array;
}

export interface TcpOptions {
  /** TCP Fast Open: the first client flight rides in the SYN (RFC 7413). */
  fastOpen?: boolean;
  /**
   * Also send a SYN-ACK with this other ISN, which the client does not take (it acknowledges the real one), as
   * when a SYN is answered twice with different ISNs.
   */
  staleSynAckIsn?: number;
  /** The stale SYN-ACK comes after the real one (default: before). */
  staleSynAckLast?: boolean;
  /** The client sends its SYN (with its data under Fast Open) twice. */
  retransmitSyn?: boolean;
}

/** A TCP connection carrying `flights` in turn (each in segments of at most 1400 bytes), closed by FINs. */
/** The server's ISN in conversationCapture (the SYN-ACK the client acknowledges). */
export const SERVER_ISN = 0xc0000000;

export function conversationCapture(flights: Flight[], options: TcpOptions = {}): Uint8Array {
  const packets: Uint8Array[] = [];
  const c = { src: CLIENT, dst: SERVER, srcPort: 50123, dstPort: 443 };
  const s = { src: SERVER, dst: CLIENT, srcPort: 443, dstPort: 50123 };
  const clientIsn = 0x1000;
  const serverIsn = SERVER_ISN;
  let cseq = clientIsn + 1;
  let sseq = serverIsn + 1;
  let rest = flights;
  let synData: Uint8Array = new Uint8Array(0);
  if (options.fastOpen && flights[0]?.from === 'client') {
    synData = flights[0].bytes;
    cseq += synData.length;
    rest = flights.slice(1);
  }
  packets.push(tcpPacket({ ...c, seq: clientIsn, flags: SYN, payload: synData }));
  if (options.retransmitSyn) packets.push(tcpPacket({ ...c, seq: clientIsn, flags: SYN, payload: synData }));
  const stale = options.staleSynAckIsn === undefined ? [] : [tcpPacket({ ...s, seq: options.staleSynAckIsn, ack: cseq, flags: SYN | ACK })];
  if (!options.staleSynAckLast) packets.push(...stale);
  packets.push(tcpPacket({ ...s, seq: serverIsn, ack: cseq, flags: SYN | ACK }));
  if (options.staleSynAckLast) packets.push(...stale);
  packets.push(tcpPacket({ ...c, seq: cseq, ack: sseq, flags: ACK }));
  for (const flight of rest) {
    for (let at = 0; at < flight.bytes.length; at += 1400) {
      const payload = flight.bytes.subarray(at, at + 1400);
      if (flight.from === 'client') {
        packets.push(tcpPacket({ ...c, seq: cseq, ack: sseq, flags: PSH_ACK, payload }));
        cseq += payload.length;
      } else {
        packets.push(tcpPacket({ ...s, seq: sseq, ack: cseq, flags: PSH_ACK, payload }));
        sseq += payload.length;
      }
    }
  }
  packets.push(tcpPacket({ ...c, seq: cseq, ack: sseq, flags: FIN_ACK }));
  packets.push(tcpPacket({ ...s, seq: sseq, ack: cseq + 1, flags: FIN_ACK }));
  packets.push(tcpPacket({ ...c, seq: cseq + 1, ack: sseq + 1, flags: ACK }));
  return pcapOf(packets);
}

export interface Tls13Conversation {
  flights: Flight[];
  /** NSS key log lines for the connection (handshake and application traffic secrets). */
  keyLog: string;
  clientRandom: Uint8Array;
}

const TLS_AES_128_GCM_SHA256 = 0x1301;
const X25519 = 0x001d;

/** A ClientHello offering `versions` in supported_versions, with a key share for x25519. */
export function clientHello(versions: number[], random: Uint8Array, keyShareType: number, sessionId: Uint8Array): Uint8Array {
  const extensions = concat([
    extension(0, vector16(concat([Uint8Array.of(0), vector16(Buffer.from('draft.test'))]))),
    extension(10, vector16(u16(X25519))),
    extension(13, vector16(concat([u16(0x0804), u16(0x0403)]))),
    extension(keyShareType, vector16(concat([u16(X25519), vector16(randomBytes(32))]))),
    extension(43, vector8(concat(versions.map(u16)))),
  ]);
  const body = concat([u16(0x0303), random, vector8(sessionId), vector16(u16(TLS_AES_128_GCM_SHA256)), Uint8Array.of(1, 0), vector16(extensions)]);
  return handshakeMessage(1, body);
}

/** The ServerHello of a TLS 1.3 draft or experiment, in that draft's layout. */
export function draftServerHello(version: number, sessionId: Uint8Array): Uint8Array {
  const layout = layoutOf(version);
  const keyShare = extension(layout.keyShareType, concat([u16(X25519), vector16(randomBytes(32))]));
  const random = randomBytes(32);
  if (layout.legacyServerHello) {
    return handshakeMessage(2, concat([u16(version), random, u16(TLS_AES_128_GCM_SHA256), vector16(keyShare)]));
  }
  const extensions = concat([keyShare, extension(43, u16(version))]);
  return handshakeMessage(2, concat([u16(0x0303), random, vector8(sessionId), u16(TLS_AES_128_GCM_SHA256), Uint8Array.of(0), vector16(extensions)]));
}

/**
 * A whole TLS 1.3 draft (or experiment; or 0x0304, RFC 8446) connection: ClientHello offering `version` (and TLS 1.2), the draft's
 * ServerHello, the server's encrypted EncryptedExtensions, Certificate, CertificateVerify and Finished, the
 * client's encrypted Finished, then an HTTP request and response as application data.
 */
export function draftConversation(version: number): Tls13Conversation {
  const layout = layoutOf(version);
  const clientRandom = new Uint8Array(randomBytes(32));
  const sessionId = layout.legacyServerHello ? new Uint8Array(0) : new Uint8Array(randomBytes(32));
  const secrets = {
    CLIENT_HANDSHAKE_TRAFFIC_SECRET: randomBytes(32),
    SERVER_HANDSHAKE_TRAFFIC_SECRET: randomBytes(32),
    CLIENT_TRAFFIC_SECRET_0: randomBytes(32),
    SERVER_TRAFFIC_SECRET_0: randomBytes(32),
  };
  const serverHandshake = new Protector(secrets.SERVER_HANDSHAKE_TRAFFIC_SECRET, layout);
  const clientHandshake = new Protector(secrets.CLIENT_HANDSHAKE_TRAFFIC_SECRET, layout);
  const serverApplication = new Protector(secrets.SERVER_TRAFFIC_SECRET_0, layout);
  const clientApplication = new Protector(secrets.CLIENT_TRAFFIC_SECRET_0, layout);

  const hello = record(22, 0x0301, clientHello([version, 0x0303], clientRandom, layout.keyShareType, sessionId));
  const ccs = record(20, 0x0303, Uint8Array.of(1));
  const certificate = handshakeMessage(11, concat([vector8(new Uint8Array(0)), vector24(concat([vector24(leafCertificateDer()), vector16(new Uint8Array(0))]))]));
  const serverFlight = concat([
    record(22, layout.recordVersion, draftServerHello(version, sessionId)),
    layout.ccs ? ccs : new Uint8Array(0),
    serverHandshake.protect(22, concat([handshakeMessage(8, vector16(new Uint8Array(0))), certificate])),
    serverHandshake.protect(22, concat([handshakeMessage(15, concat([u16(0x0804), vector16(randomBytes(256))])), handshakeMessage(20, randomBytes(32))])),
  ]);
  const clientFlight = concat([
    layout.ccs ? ccs : new Uint8Array(0),
    clientHandshake.protect(22, handshakeMessage(20, randomBytes(32))),
    clientApplication.protect(23, Buffer.from('GET / HTTP/1.1\r\nHost: draft.test\r\n\r\n')),
  ]);
  const response = serverApplication.protect(23, Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  const keyLog = Object.entries(secrets)
    .map(([label, secret]) => `${label} ${hex(clientRandom)} ${hex(secret)}`)
    .join('\n');
  return {
    flights: [
      { from: 'client', bytes: hello },
      { from: 'server', bytes: serverFlight },
      { from: 'client', bytes: clientFlight },
      { from: 'server', bytes: response },
    ],
    keyLog: `${keyLog}\n`,
    clientRandom,
  };
}
