/** ClientCertificateType (IANA TLS ClientCertificateType Identifiers), used by TLS 1.2 CertificateRequest. */
export const CLIENT_CERTIFICATE_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'rsa_sign',
  2: 'dss_sign',
  3: 'rsa_fixed_dh',
  4: 'dss_fixed_dh',
  5: 'rsa_ephemeral_dh_RESERVED',
  6: 'dss_ephemeral_dh_RESERVED',
  20: 'fortezza_dms_RESERVED',
  64: 'ecdsa_sign',
  65: 'rsa_fixed_ecdh',
  66: 'ecdsa_fixed_ecdh',
  67: 'gost_sign256',
  68: 'gost_sign512',
};

/** CertificateStatusType (RFC 6066 / RFC 6961). */
export const CERTIFICATE_STATUS_TYPE_NAMES: Readonly<Record<number, string>> = { 1: 'ocsp', 2: 'ocsp_multi' };
