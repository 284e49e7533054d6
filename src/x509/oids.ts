/**
 * The OIDs tlsdiag reads that @peculiar/asn1-x509 and asn1-ocsp do not export (use theirs where they do), and
 * the names of the OIDs certificates carry, spelled as `openssl x509 -text` spells them where it can.
 */
import { id_kp_clientAuth, id_kp_serverAuth } from '@peculiar/asn1-x509';

/** subjectPublicKeyInfo algorithms: @peculiar/asn1-x509 does not export them (asn1-rsa and asn1-ecc do, not our dependencies). */
export const KEY_ALGORITHM_OID = {
  rsaEncryption: '1.2.840.113549.1.1.1', // RFC 8017 appendix A.1
  rsassaPss: '1.2.840.113549.1.1.10', // id-RSASSA-PSS, RFC 4055 section 3.1
  ecPublicKey: '1.2.840.10045.2.1', // RFC 5480 section 2.1.1
  dsa: '1.2.840.10040.4.1', // id-dsa, RFC 3279 section 2.3.2
  x25519: '1.3.101.110', // RFC 8410 section 3
  x448: '1.3.101.111', // RFC 8410 section 3
  ed25519: '1.3.101.112', // RFC 8410 section 3
  ed448: '1.3.101.113', // RFC 8410 section 3
} as const;

/** The content and bag types a PKCS#12 file's private keys are found by (asn1-pfx exports them, not a dependency). */
export const PKCS12_OID = {
  data: '1.2.840.113549.1.7.1', // id-data, RFC 5652 section 4
  encryptedData: '1.2.840.113549.1.7.6', // id-encryptedData, RFC 5652 section 8
  keyBag: '1.2.840.113549.1.12.10.1.1', // RFC 7292 section 4.2.1
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2', // RFC 7292 section 4.2.2
} as const;

const SIGNATURE_ALGORITHMS: Record<string, string> = {
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.2.840.10040.4.3': 'dsaWithSHA1',
  '2.16.840.1.101.3.4.3.2': 'dsa_with_SHA256',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
};

const PUBLIC_KEY_ALGORITHMS: Record<string, string> = {
  [KEY_ALGORITHM_OID.rsaEncryption]: 'RSA',
  [KEY_ALGORITHM_OID.rsassaPss]: 'RSA-PSS',
  [KEY_ALGORITHM_OID.ecPublicKey]: 'EC',
  [KEY_ALGORITHM_OID.dsa]: 'DSA',
  [KEY_ALGORITHM_OID.x25519]: 'X25519',
  [KEY_ALGORITHM_OID.x448]: 'X448',
  [KEY_ALGORITHM_OID.ed25519]: 'Ed25519',
  [KEY_ALGORITHM_OID.ed448]: 'Ed448',
};

const CURVES: Record<string, { name: string; size: number }> = {
  '1.2.840.10045.3.1.7': { name: 'P-256', size: 256 },
  '1.3.132.0.34': { name: 'P-384', size: 384 },
  '1.3.132.0.35': { name: 'P-521', size: 521 },
  '1.3.132.0.33': { name: 'P-224', size: 224 },
  '1.2.840.10045.3.1.1': { name: 'P-192', size: 192 },
  '1.3.132.0.10': { name: 'secp256k1', size: 256 },
  '1.3.36.3.3.2.8.1.1.7': { name: 'brainpoolP256r1', size: 256 },
  '1.3.36.3.3.2.8.1.1.11': { name: 'brainpoolP384r1', size: 384 },
  '1.3.36.3.3.2.8.1.1.13': { name: 'brainpoolP512r1', size: 512 },
  '1.2.156.10197.1.301': { name: 'SM2', size: 256 },
};

const EXTENDED_KEY_USAGES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '1.3.6.1.5.5.7.3.17': 'ipsecIKE',
  '2.5.29.37.0': 'anyExtendedKeyUsage',
  '1.3.6.1.4.1.311.10.3.3': 'msSGC',
  '2.16.840.1.113730.4.1': 'nsSGC',
};

export const EKU_OID = { serverAuth: id_kp_serverAuth, clientAuth: id_kp_clientAuth } as const;

/** KeyUsage bit n (RFC 5280 §4.2.1.3) is named KEY_USAGE_NAMES[n]. */
export const KEY_USAGE_NAMES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;

export function signatureAlgorithmName(oid: string): string {
  return SIGNATURE_ALGORITHMS[oid] ?? oid;
}

export function publicKeyAlgorithmName(oid: string): string {
  return PUBLIC_KEY_ALGORITHMS[oid] ?? oid;
}

export function curveName(oid: string): { name: string; size: number } | null {
  return CURVES[oid] ?? null;
}

export function extendedKeyUsageName(oid: string): string {
  return EXTENDED_KEY_USAGES[oid] ?? oid;
}
