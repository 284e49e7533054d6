import type { TlsEvent } from '../tls/events.js';
import type { HandshakeMessage } from '../tls/handshake/types.js';
import { ALERT_DESCRIPTION_NAMES, ALERT_LEVEL_NAMES } from '../tls/registry/alerts.js';
import { namedGroupName } from '../tls/registry/names.js';
import { protocolVersionName } from '../tls/registry/protocol-versions.js';
import { isGrease } from '../tls/registry/grease.js';
import { decodeCertificate } from '../x509/index.js';
import { parseDistinguishedName } from '../x509/names.js';
import type { TimelineKind } from './types.js';

/** The kind of a timeline entry: the message name, or the record-level event. */
export function eventKind(event: TlsEvent): TimelineKind {
  switch (event.kind) {
    case 'handshake':
      return event.message.type;
    case 'alert':
    case 'encrypted-alert':
      return 'Alert';
    case 'change-cipher-spec':
      return 'ChangeCipherSpec';
    case 'encrypted-record':
      return event.probableFinished ? 'Finished' : 'EncryptedRecord';
    case 'application-data':
      return event.early ? 'EarlyData' : 'ApplicationData';
    case 'gap':
      return 'CaptureGap';
    case 'parse-error':
      return 'ParseError';
    case 'close':
      return event.closeKind === 'fin' ? 'FIN' : 'RST';
  }
}

export function alertName(description: number | null): string | null {
  if (description === null) return null;
  return ALERT_DESCRIPTION_NAMES[description] ?? `unknown_alert_${description}`;
}

export function alertLevelName(level: number | null): 'warning' | 'fatal' | null {
  if (level === null) return null;
  return ALERT_LEVEL_NAMES[level] ?? null;
}

/** One line for people, saying what a message or record carried. */
export function describeEvent(event: TlsEvent): string {
  switch (event.kind) {
    case 'handshake':
      return describeMessage(event.message);
    case 'encrypted-alert':
      if (event.shownBy === 'size') return `encrypted record of ${event.length} bytes: the size of an alert`;
      return `encrypted alert (${event.side} sent an alert; no key to read it)`;
    case 'alert':
      return `${alertLevelName(event.level) ?? `level ${event.level}`} ${alertName(event.description)} (${event.description})${event.decrypted ? ', decrypted' : ''}`;
    case 'change-cipher-spec':
      return 'ChangeCipherSpec';
    case 'encrypted-record':
      if (event.probableFinished) return `Finished (encrypted, ${event.length} bytes)`;
      return `encrypted record, ${event.length} bytes`;
    case 'application-data': {
      const what = event.early ? '0-RTT early data' : 'application data';
      return event.firstLine !== null ? `${what}: "${event.firstLine}"` : `${what} (${event.length} bytes in the first record)`;
    }
    case 'gap':
      return `the capture lost ${event.missing} bytes here${event.inHandshake ? ' (inside the handshake: parsing of this side stopped)' : ''}`;
    case 'parse-error':
      return `could not parse: ${event.message}`;
    case 'close':
      return event.closeKind === 'fin' ? 'TCP FIN' : 'TCP RST';
  }
}

function describeMessage(message: HandshakeMessage): string {
  switch (message.type) {
    case 'ClientHello': {
      const parts = [`offers ${versionList(message.supportedVersions ?? [message.legacyVersion])}`];
      if (message.serverNames?.[0]) parts.push(`SNI ${message.serverNames[0]}`);
      if (message.alpnProtocols?.length) parts.push(`ALPN ${message.alpnProtocols.join(',')}`);
      parts.push(`${message.cipherSuites.length} cipher suites`);
      if (message.sslv2Compatible) parts.push('SSLv2-compatible format');
      return parts.join(', ');
    }
    case 'ServerHello':
      return `${protocolVersionName(message.effectiveVersion)}, ${message.cipherSuiteName}${message.alpn ? `, ALPN ${message.alpn}` : ''}`;
    case 'HelloRetryRequest':
      return `HelloRetryRequest${message.keyShareGroup !== undefined ? ` for group ${namedGroupName(message.keyShareGroup)}` : ''}`;
    case 'Certificate': {
      if (message.certificates.length === 0) return 'EMPTY: no certificate (certificates length 0)';
      const first = message.certificates[0]!;
      const decoded = decodeCertificate(first.data);
      const leaf = decoded.kind === 'certificate' ? decoded.summary.subject : 'undecodable certificate';
      return `${message.certificates.length} certificate${message.certificates.length > 1 ? 's' : ''}, leaf ${leaf}`;
    }
    case 'CertificateRequest': {
      const names = message.certificateAuthorities.map((der) => parseDistinguishedName(der).rfc4514);
      return names.length === 0
        ? 'asks for a client certificate (no CA names: any issuer)'
        : `asks for a client certificate issued by: ${names.join(' | ')}`;
    }
    case 'CertificateStatus':
      return `stapled OCSP response (${message.ocspResponse?.length ?? 0} bytes)`;
    case 'ServerKeyExchange':
      if (message.namedCurveName) return `${message.keyExchange.toUpperCase()} on ${message.namedCurveName}`;
      if (message.dhPrimeBits) return `DHE with a ${message.dhPrimeBits}-bit prime`;
      return message.keyExchange;
    case 'CertificateVerify':
      return message.signatureSchemeName ? `signed with ${message.signatureSchemeName}` : 'CertificateVerify';
    case 'NewSessionTicket':
      return `session ticket, lifetime ${message.lifetime} s`;
    case 'EncryptedExtensions':
      return message.alpn ? `ALPN ${message.alpn}` : 'EncryptedExtensions';
    case 'KeyUpdate':
      return message.requestUpdate ? 'KeyUpdate (update requested)' : 'KeyUpdate';
    case 'Unknown':
      return `handshake message type ${message.msgType}`;
    default:
      return message.type;
  }
}

export function versionList(versions: readonly number[]): string {
  return versions.filter((v) => !isGrease(v)).map(protocolVersionName).join(', ');
}
