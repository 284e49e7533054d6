/**
 * Parsed handshake messages: plain objects, discriminated on `type`. Byte fields are views into the message
 * body the caller passed in (no copies), so they stay valid as long as that body does.
 */

/** One extension in wire order. */
export interface RawExtension {
  type: number;
  /** IANA name, 'GREASE (0x?a?a)', or hex. */
  name: string;
  grease: boolean;
  data: Uint8Array;
}

export interface KeyShareEntry {
  group: number;
  groupName: string;
  grease: boolean;
  keyExchangeLength: number;
}

/** Extensions decoded from a ClientHello; each field is absent when the extension is absent. */
export interface ClientHelloExtensions {
  /** host_name entries of server_name (normally one). */
  serverNames?: string[];
  alpn?: Uint8Array[];
  /** ALPN protocol ids as text (latin1 for non-UTF-8 bytes). */
  alpnProtocols?: string[];
  supportedVersions?: number[];
  signatureAlgorithms?: number[];
  signatureAlgorithmsCert?: number[];
  /** delegated_credential (RFC 9345): signature schemes accepted for delegated credentials. */
  delegatedCredentialSchemes?: number[];
  supportedGroups?: number[];
  keyShareGroups?: KeyShareEntry[];
  ecPointFormats?: number[];
  /** status_request: status type (1 = ocsp). */
  statusRequest?: { statusType: number };
  /** DER-encoded DistinguishedNames from certificate_authorities. */
  certificateAuthorities?: Uint8Array[];
  postHandshakeAuth?: boolean;
  encryptThenMac?: boolean;
  extendedMasterSecret?: boolean;
  /** session_ticket: length of the ticket offered (0 = empty, asking for a new one). */
  sessionTicketLength?: number;
  pskKeyExchangeModes?: number[];
  preSharedKey?: { identities: number };
  earlyData?: boolean;
  /** renegotiation_info: length of renegotiated_connection (0 on an initial handshake). */
  renegotiationInfoLength?: number;
  recordSizeLimit?: number;
  compressCertificate?: number[];
  maxFragmentLength?: number;
  signedCertificateTimestamp?: boolean;
  paddingLength?: number;
  cookieLength?: number;
}

export interface ClientHello extends ClientHelloExtensions {
  type: 'ClientHello';
  legacyVersion: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  cipherSuites: number[];
  /** IANA names parallel to cipherSuites. */
  cipherSuiteNames: string[];
  /** The GREASE values among cipherSuites. */
  greaseCipherSuites: number[];
  compressionMethods: number[];
  /** Extensions in wire order; empty when the hello had no extensions block. */
  extensions: RawExtension[];
  /** False when the message ended after compression methods (no extensions block at all). */
  hasExtensionsBlock: boolean;
  /** GREASE values seen anywhere (cipher suites, extension types, groups, versions, key shares, sigalgs). */
  greaseValues: number[];
  /** Highest non-GREASE supported_versions entry, else legacyVersion. */
  effectiveVersion: number;
  /** SSLv2-compatible ClientHello (RFC 5246 appendix E.2). */
  sslv2Compatible?: boolean;
  /** SSLv2 CIPHER-SPECs (3 bytes each) when sslv2Compatible; those with first byte 0 are in cipherSuites too. */
  sslv2CipherSpecs?: Array<{ spec: number; name: string }>;
}

export interface ServerHello {
  /** A HelloRetryRequest is a ServerHello with the special random (RFC 8446 §4.1.3): the type tells them apart. */
  type: 'ServerHello' | 'HelloRetryRequest';
  legacyVersion: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  cipherSuite: number;
  cipherSuiteName: string;
  compressionMethod: number;
  extensions: RawExtension[];
  hasExtensionsBlock: boolean;
  /** From supported_versions when present. */
  selectedVersion?: number;
  /** selectedVersion ?? legacyVersion. */
  effectiveVersion: number;
  /** key_share: the server's group (ServerHello) or the group asked for (HelloRetryRequest). */
  keyShareGroup?: number;
  alpn?: string;
  encryptThenMac?: boolean;
  extendedMasterSecret?: boolean;
  /** The server will staple an OCSP response (empty status_request in the ServerHello). */
  statusRequest?: boolean;
  sessionTicket?: boolean;
  renegotiationInfoLength?: number;
  ecPointFormats?: number[];
  recordSizeLimit?: number;
  preSharedKeyIdentity?: number;
  cookieLength?: number;
}

export interface CertificateEntry {
  /** DER (or raw public key) bytes. */
  data: Uint8Array;
  /** TLS 1.3 per-entry extensions; empty for TLS 1.2. */
  extensions: RawExtension[];
  /** TLS 1.3: an OCSP response stapled in this entry's status_request extension. */
  ocspResponse?: Uint8Array;
}

export interface Certificate {
  type: 'Certificate';
  tls13: boolean;
  /** TLS 1.3 certificate_request_context (empty for server certificates). */
  requestContext?: Uint8Array;
  /** The length field of the certificate list, as on the wire; 0 for an empty Certificate. */
  certificatesLength: number;
  certificates: CertificateEntry[];
}

export interface CertificateRequest {
  type: 'CertificateRequest';
  tls13: boolean;
  /** TLS 1.2 ClientCertificateType values and their names. */
  certificateTypes: number[];
  certificateTypeNames: string[];
  /** supported_signature_algorithms (TLS 1.2) or the signature_algorithms extension (TLS 1.3). */
  signatureAlgorithms: number[];
  signatureAlgorithmsCert?: number[];
  /** DER-encoded DistinguishedNames, in the server's order. */
  certificateAuthorities: Uint8Array[];
  /** TLS 1.3 only. */
  requestContext?: Uint8Array;
  extensions: RawExtension[];
  oidFilters?: Array<{ oid: Uint8Array; values: Uint8Array }>;
}

export interface CertificateStatus {
  type: 'CertificateStatus';
  statusType: number;
  /** DER OCSPResponse for status type ocsp(1); for ocsp_multi, the first non-empty one. */
  ocspResponse: Uint8Array | null;
  /** ocsp_multi: every response, empty views for certificates without one. */
  ocspResponses?: Uint8Array[];
}

export interface ServerKeyExchange {
  type: 'ServerKeyExchange';
  /** What the parser took the key exchange to be (from context.cipherSuite), 'unknown' when not given. */
  keyExchange: 'ecdhe' | 'dhe' | 'psk' | 'ecdhe_psk' | 'dhe_psk' | 'rsa' | 'srp' | 'unknown';
  /** ECParameters.curve_type: 3 = named_curve. */
  curveType?: number;
  namedCurve?: number;
  namedCurveName?: string;
  publicKeyLength?: number;
  /** DHE: size of p in bits (leading zero bytes not counted). */
  dhPrimeBits?: number;
  dhGeneratorLength?: number;
  /** TLS 1.2 digitally-signed: the signature scheme. Absent for TLS 1.0/1.1 and anonymous suites. */
  signatureScheme?: number;
  signatureSchemeName?: string;
  signatureLength?: number;
  pskIdentityHintLength?: number;
  /** The body, when the key exchange could not be told. */
  raw: Uint8Array;
}

export interface ServerHelloDone {
  type: 'ServerHelloDone';
}

export interface HelloRequest {
  type: 'HelloRequest';
}

export interface EndOfEarlyData {
  type: 'EndOfEarlyData';
}

export interface ClientKeyExchange {
  type: 'ClientKeyExchange';
  length: number;
  raw: Uint8Array;
}

export interface CertificateVerify {
  type: 'CertificateVerify';
  /** Absent for TLS 1.0/1.1 (no scheme on the wire). */
  signatureScheme?: number;
  signatureSchemeName?: string;
  signatureLength: number;
}

export interface Finished {
  type: 'Finished';
  verifyDataLength: number;
  verifyData: Uint8Array;
}

export interface NewSessionTicket {
  type: 'NewSessionTicket';
  tls13: boolean;
  lifetime: number;
  /** TLS 1.3 only. */
  ageAdd?: number;
  nonce?: Uint8Array;
  ticketLength: number;
  extensions: RawExtension[];
  maxEarlyDataSize?: number;
}

export interface EncryptedExtensions {
  type: 'EncryptedExtensions';
  extensions: RawExtension[];
  alpn?: string;
  /** Empty server_name extension: the server used the SNI. */
  serverNameAcknowledged: boolean;
  supportedGroups?: number[];
  recordSizeLimit?: number;
  earlyData?: boolean;
  maxFragmentLength?: number;
}

export interface KeyUpdate {
  type: 'KeyUpdate';
  /** 0 update_not_requested, 1 update_requested. */
  requestUpdate: number;
}

export interface UnknownHandshake {
  type: 'Unknown';
  msgType: number;
  body: Uint8Array;
}

export type HandshakeMessage =
  | ClientHello
  | ServerHello
  | Certificate
  | CertificateRequest
  | CertificateStatus
  | ServerKeyExchange
  | ServerHelloDone
  | ClientKeyExchange
  | CertificateVerify
  | Finished
  | NewSessionTicket
  | HelloRequest
  | EncryptedExtensions
  | KeyUpdate
  | EndOfEarlyData
  | UnknownHandshake;

export interface ParseContext {
  /** Negotiated version (0x0304 for TLS 1.3). */
  version?: number;
  /** Negotiated cipher suite, needed for ServerKeyExchange. */
  cipherSuite?: number;
  /** True when the message came from the server. */
  isServer?: boolean;
}
