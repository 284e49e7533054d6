export { decodeCertificate, isCertificateDecodeError, clearCertificateCache, certificateCacheSize, sha256Hex, sha1Hex, CERTIFICATE_CACHE_LIMIT } from './decode.js';
export { parseDistinguishedName, namesMatch, parseName, prepareString, escapeRfc4514Value } from './names.js';
export type { ParsedName, NameAttribute, Rdn, NameParseError } from './names.js';
export { loadCertificates, loadCertificatesDetailed, certificatesFromPem, TrustMaterialError } from './load.js';
export type { LoadedCertificates } from './load.js';
export { validateChain, isIssuedBy, isSelfSigned, verifyIssuedBy, checkChainOrder } from './chain.js';
export type { ChainOrder } from './chain.js';
export type * from './types.js';
