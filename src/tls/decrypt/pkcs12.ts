import { children, contentOf, decodeOid, DerError, DerTag, encodingOf, expectTlv, readTlv, type Tlv } from '../../x509/der.js';
import { PKCS12_OID } from '../../x509/oids.js';

/** A private key found in a PKCS#12 file: PrivateKeyInfo or EncryptedPrivateKeyInfo DER. */
export interface Pkcs12KeyBag {
  encrypted: boolean;
  der: Uint8Array;
}

export interface Pkcs12Keys {
  keys: Pkcs12KeyBag[];
  /** Encrypted safe contents that were skipped (they normally hold the certificates, which are not needed). */
  encryptedContents: number;
}

/**
 * Finds the key bags of a PKCS#12 (PFX) file. Only the key is needed — it is matched to the capture's
 * certificates by its public key — so the certificate bags are never opened: files from older Java and IBM
 * tools encrypt them with RC2-40, which Node's OpenSSL 3 refuses, while their key bag (3DES or PBES2)
 * opens with createPrivateKey. Key bags inside encrypted safe contents are not read (counted instead).
 * The MAC is not checked: a wrong password shows when the key bag does not decrypt.
 * Throws DerError for bytes that are not a PFX.
 */
export function pkcs12KeyBags(der: Uint8Array): Pkcs12Keys {
  const pfx = expectTlv(der, 0, DerTag.sequence, 'PFX');
  const [version, authSafe] = children(der, pfx);
  if (version?.tag !== DerTag.integer || authSafe?.tag !== DerTag.sequence) throw new DerError('expected PFX version and authSafe', pfx.contentStart);
  const authSafeData = dataContent(der, authSafe);
  if (authSafeData === null) throw new DerError('PFX authSafe is not of type data (public-key integrity mode is not supported)', authSafe.start);
  const result: Pkcs12Keys = { keys: [], encryptedContents: 0 };
  const safes = expectTlv(authSafeData, 0, DerTag.sequence, 'AuthenticatedSafe');
  for (const info of children(authSafeData, safes)) {
    const type = contentType(authSafeData, info);
    if (type === PKCS12_OID.encryptedData) {
      result.encryptedContents++;
      continue;
    }
    if (type !== PKCS12_OID.data) continue;
    const safeContents = dataContent(authSafeData, info)!;
    const bags = expectTlv(safeContents, 0, DerTag.sequence, 'SafeContents');
    for (const bag of children(safeContents, bags)) {
      const [bagId, bagValue] = children(safeContents, bag);
      if (bagId?.tag !== DerTag.oid || bagValue?.tag !== 0xa0) continue;
      const id = decodeOid(safeContents, bagId);
      if (id !== PKCS12_OID.keyBag && id !== PKCS12_OID.pkcs8ShroudedKeyBag) continue;
      const inner = readTlv(safeContents, bagValue.contentStart, bagValue.end);
      result.keys.push({ encrypted: id === PKCS12_OID.pkcs8ShroudedKeyBag, der: encodingOf(safeContents, inner).slice() });
    }
  }
  return result;
}

function contentType(bytes: Uint8Array, info: Tlv): string {
  const oid = expectTlv(bytes, info.contentStart, DerTag.oid, 'ContentInfo contentType', info.end);
  return decodeOid(bytes, oid);
}

/** The OCTET STRING inside a ContentInfo of type data, or null for another type. */
function dataContent(bytes: Uint8Array, info: Tlv): Uint8Array | null {
  const [oid, explicit] = children(bytes, info);
  if (oid?.tag !== DerTag.oid || decodeOid(bytes, oid) !== PKCS12_OID.data) return null;
  if (explicit?.tag !== 0xa0) throw new DerError('ContentInfo of type data without content', info.start);
  const octets = expectTlv(bytes, explicit.contentStart, DerTag.octetString, 'data content', explicit.end);
  return contentOf(bytes, octets);
}
