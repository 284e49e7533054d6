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

/**
 * A pre-RFC 8446 TLS 1.3 variant: what its wire version means and how its records are protected.
 *
 * - Drafts 14-28 of draft-ietf-tls-tls13 (0x7f0e-0x7f1c; Wireshark's names).
 * - Facebook's Fizz drafts 23 and 26 (0xfb17, 0xfb1a; Wireshark's names), which follow those drafts.
 * - Google's "TLS 1.3 experiment" 1-3 (0x7e01-0x7e03, BoringSSL and Chrome 2017-2018): draft 18's key schedule
 *   with the middlebox-compatible hello layout that draft 22 later took up (BoringSSL ssl_versions.cc,
 *   ssl_is_resumption_experiment).
 */
export interface Tls13Variant {
  /** The draft whose key schedule and record protection the variant uses. */
  draft: number;
  /**
   * The ServerHello carries `version` = the draft's version, then random, cipher_suite and extensions: no
   * legacy_session_id_echo, no compression method, no supported_versions (drafts before 22).
   */
  legacyServerHello: boolean;
  /** HKDF-Expand-Label prefix: "TLS 1.3, " before draft 20, "tls13 " from draft 20 on. */
  labelPrefix: 'tls13 ' | 'TLS 1.3, ';
  /** The record header is the AEAD's additional data from draft 25 on; earlier drafts use empty additional data. */
  headerIsAdditionalData: boolean;
}

const FIRST_DRAFT = 14;
const LAST_DRAFT = 28;
const FACEBOOK_DRAFTS: Readonly<Record<number, number>> = { 0xfb17: 23, 0xfb1a: 26 };
/** Google's experiments: draft 18 underneath (BoringSSL lists them with TLS1_3_DRAFT_VERSION = 0x7f12). */
const GOOGLE_EXPERIMENTS: Readonly<Record<number, number>> = { 0x7e01: 1, 0x7e02: 2, 0x7e03: 3 };
const GOOGLE_EXPERIMENT_DRAFT = 18;

function variantOfDraft(draft: number, legacyServerHello: boolean): Tls13Variant {
  return { draft, legacyServerHello, labelPrefix: draft < 20 ? 'TLS 1.3, ' : 'tls13 ', headerIsAdditionalData: draft >= 25 };
}

/** The TLS 1.3 draft or experiment a wire version names, or null (TLS 1.3 itself and every other version). */
export function tls13Variant(version: number): Tls13Variant | null {
  if (version >> 8 === 0x7f) {
    const draft = version & 0xff;
    return draft >= FIRST_DRAFT && draft <= LAST_DRAFT ? variantOfDraft(draft, draft < 22) : null;
  }
  const facebook = FACEBOOK_DRAFTS[version];
  if (facebook !== undefined) return variantOfDraft(facebook, false);
  if (GOOGLE_EXPERIMENTS[version] !== undefined) return variantOfDraft(GOOGLE_EXPERIMENT_DRAFT, false);
  return null;
}

/** True for TLS 1.3 and for the drafts and experiments that preceded it. */
export function isTls13(version: number | null | undefined): boolean {
  return version === TLS_1_3 || (version != null && tls13Variant(version) !== null);
}

/** The protocol a wire version speaks: TLS 1.3 for its drafts and experiments, else the version itself. */
export function protocolOf(version: number): number {
  return tls13Variant(version) !== null ? TLS_1_3 : version;
}

/**
 * Name of a version, after Wireshark's: 'TLS 1.3 (draft 23)', 'TLS 1.3 (Facebook draft 23)',
 * 'TLS 1.3 (Google experiment 1)'; unknown ones as hex.
 */
export function protocolVersionName(version: number): string {
  const known = PROTOCOL_VERSION_NAMES[version];
  if (known !== undefined) return known;
  if (version >> 8 === 0x7f) return `TLS 1.3 (draft ${version & 0xff})`;
  const facebook = FACEBOOK_DRAFTS[version];
  if (facebook !== undefined) return `TLS 1.3 (Facebook draft ${facebook})`;
  const experiment = GOOGLE_EXPERIMENTS[version];
  if (experiment !== undefined) return `TLS 1.3 (Google experiment ${experiment})`;
  return `0x${version.toString(16).padStart(4, '0')}`;
}
