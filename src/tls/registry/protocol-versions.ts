/** Protocol versions as they appear on the wire (legacy_version, supported_versions, record version). */
export const PROTOCOL_VERSION_NAMES: Readonly<Record<number, string>> = {
  0x0002: 'SSL 2.0',
  0x0300: 'SSL 3.0',
  0x0301: 'TLS 1.0',
  0x0302: 'TLS 1.1',
  0x0303: 'TLS 1.2',
  0x0304: 'TLS 1.3',
  0xfeff: 'DTLS 1.0',
  0xfefd: 'DTLS 1.2',
  0xfefc: 'DTLS 1.3',
  0x0100: 'DTLS 1.0 (OpenSSL pre 0.9.8f)',
};

export const TLS_1_3 = 0x0304;
export const TLS_1_2 = 0x0303;

/** Name of a version; TLS 1.3 drafts (0x7fXX) as 'TLS 1.3 (draft N)', unknown ones as hex. */
export function protocolVersionName(version: number): string {
  const known = PROTOCOL_VERSION_NAMES[version];
  if (known !== undefined) return known;
  if (version >> 8 === 0x7f) return `TLS 1.3 (draft ${version & 0xff})`;
  return `0x${version.toString(16).padStart(4, '0')}`;
}
