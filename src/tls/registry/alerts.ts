/** AlertDescription (IANA TLS Alerts registry), number → IANA name. */
export const ALERT_DESCRIPTION_NAMES: Readonly<Record<number, string>> = {
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  21: 'decryption_failed',
  22: 'record_overflow',
  30: 'decompression_failure',
  40: 'handshake_failure',
  41: 'no_certificate',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  44: 'certificate_revoked',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  47: 'illegal_parameter',
  48: 'unknown_ca',
  49: 'access_denied',
  50: 'decode_error',
  51: 'decrypt_error',
  52: 'too_many_cids_requested',
  60: 'export_restriction',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  90: 'user_canceled',
  100: 'no_renegotiation',
  109: 'missing_extension',
  110: 'unsupported_extension',
  111: 'certificate_unobtainable',
  112: 'unrecognized_name',
  113: 'bad_certificate_status_response',
  114: 'bad_certificate_hash_value',
  115: 'unknown_psk_identity',
  116: 'certificate_required',
  117: 'general_error',
  120: 'no_application_protocol',
  121: 'ech_required',
};

/** Inverse of ALERT_DESCRIPTION_NAMES: 'bad_certificate' → 42. */
export const ALERT_DESCRIPTION_CODES: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(ALERT_DESCRIPTION_NAMES).map(([code, name]) => [name, Number(code)]),
);

/** AlertLevel (RFC 5246 §7.2). */
export const AlertLevel = { warning: 1, fatal: 2 } as const;

export const ALERT_LEVEL_NAMES: Readonly<Record<number, 'warning' | 'fatal'>> = { 1: 'warning', 2: 'fatal' };

/** The AlertDescription codes rules compare against, by name (RFC 8446 §6, RFC 6066). */
export const Alert = {
  closeNotify: 0,
  unexpectedMessage: 10,
  badRecordMac: 20,
  handshakeFailure: 40,
  noCertificate: 41,
  badCertificate: 42,
  unsupportedCertificate: 43,
  certificateRevoked: 44,
  certificateExpired: 45,
  certificateUnknown: 46,
  illegalParameter: 47,
  unknownCa: 48,
  accessDenied: 49,
  decodeError: 50,
  decryptError: 51,
  protocolVersion: 70,
  insufficientSecurity: 71,
  internalError: 80,
  unrecognizedName: 112,
  badCertificateStatusResponse: 113,
  certificateRequired: 116,
} as const;

/** An alert's IANA name for people ("bad_certificate"), or "alert N" for an unregistered code. */
export function alertDescriptionName(code: number): string {
  return ALERT_DESCRIPTION_NAMES[code] ?? `alert ${code}`;
}
