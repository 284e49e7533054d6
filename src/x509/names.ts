/**
 * Distinguished names: RFC 4514 display strings and RFC 5280 §7.1 comparison keys, both made from the
 * DER bytes (never from another library's display string).
 *
 * Display order: RFC 4514 — the last RDN of the DER sequence first ("CN=leaf,O=Org,C=US"), as
 * `openssl x509 -nameopt RFC2253` and Wireshark show it; inside a multi-valued RDN, the reverse of DER order
 * as OpenSSL prints it. Attribute type names are OpenSSL's short names
 * (CN, O, OU, C, ST, L, DC, UID, emailAddress, serialNumber, …); unknown types are dotted OIDs.
 */
import { DerError, DerTag, children, decodeOid, encodingOf, expectTlv, readTlv, type Tlv } from './der.js';
import { toHex } from '../util/bytes.js';
import { ByteKeyedCache } from './byte-cache.js';
import { errorMessage } from '../util/errors.js';

export interface NameAttribute {
  oid: string;
  /** OpenSSL short name, or the dotted OID when it has none. */
  type: string;
  /** DER tag of the value (0x13 PrintableString, 0x0c UTF8String, …). */
  valueTag: number;
  /** The value as text, or null when the value is not a character string (shown as #hex). */
  text: string | null;
  /** The value's full DER encoding. */
  valueDer: Uint8Array;
}

/** One RDN: usually a single attribute; several for a multi-valued RDN (a DER SET, kept in DER order). */
export type Rdn = NameAttribute[];

export interface ParsedName {
  /** RDNs in DER order (most general first, usually C or DC). */
  rdns: Rdn[];
  rfc4514: string;
  /** Comparison key: equal keys ⇔ the names match under RFC 5280 §7.1 with RFC 4518 preparation. */
  key: string;
  /** The name's exact DER encoding. */
  der: Uint8Array;
}

export class NameError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'NameError';
  }
}

const SHORT_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.13': 'description',
  '2.5.4.15': 'businessCategory',
  '2.5.4.17': 'postalCode',
  '2.5.4.41': 'name',
  '2.5.4.42': 'GN',
  '2.5.4.43': 'initials',
  '2.5.4.44': 'generationQualifier',
  '2.5.4.46': 'dnQualifier',
  '2.5.4.65': 'pseudonym',
  '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '1.3.6.1.4.1.311.60.2.1.1': 'jurisdictionL',
  '1.3.6.1.4.1.311.60.2.1.2': 'jurisdictionST',
  '1.3.6.1.4.1.311.60.2.1.3': 'jurisdictionC',
};

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

/** The text of a character-string value, or null for other types (and for malformed BMP/Universal). */
function decodeString(tag: number, content: Uint8Array): string | null {
  switch (tag) {
    case DerTag.utf8String:
      return utf8.decode(content);
    case DerTag.printableString:
    case DerTag.ia5String:
    case DerTag.visibleString:
    case DerTag.numericString:
    case DerTag.teletexString: // T.61: shown as Latin-1, as OpenSSL does
      return latin1.decode(content);
    case DerTag.bmpString: {
      if (content.length % 2 !== 0) return null;
      let s = '';
      for (let i = 0; i < content.length; i += 2) s += String.fromCharCode((content[i]! << 8) | content[i + 1]!);
      return s;
    }
    case DerTag.universalString: {
      if (content.length % 4 !== 0) return null;
      let s = '';
      for (let i = 0; i < content.length; i += 4) {
        const cp = ((content[i]! << 24) | (content[i + 1]! << 16) | (content[i + 2]! << 8) | content[i + 3]!) >>> 0;
        if (cp > 0x10ffff) return null;
        s += String.fromCodePoint(cp);
      }
      return s;
    }
    default:
      return null;
  }
}

/** RFC 4514 §2.4 escaping, with control characters as \XX like OpenSSL's RFC2253 output. */
export function escapeRfc4514Value(text: string): string {
  const chars = Array.from(text);
  let out = '';
  chars.forEach((ch, i) => {
    const cp = ch.codePointAt(0)!;
    if (',+"\\<>;'.includes(ch)) out += '\\' + ch;
    else if ((ch === '#' || ch === ' ') && i === 0) out += '\\' + ch;
    else if (ch === ' ' && i === chars.length - 1) out += '\\' + ch;
    else if (cp < 0x20 || cp === 0x7f) out += '\\' + cp.toString(16).toUpperCase().padStart(2, '0');
    else out += ch;
  });
  return out;
}

function attributeToRfc4514(attr: NameAttribute): string {
  const value = attr.text === null ? '#' + toHex(attr.valueDer).toUpperCase() : escapeRfc4514Value(attr.text);
  return `${attr.type}=${value}`;
}

// RFC 4518 §2.2: characters mapped to nothing, and characters mapped to SPACE.
const MAPPED_TO_NOTHING = /[\u00AD\u1806\u034F\u180B-\u180D\uFE00-\uFE0F\uFFFC\u200B\u0000-\u0008\u000E-\u001F\u007F-\u0084\u0086-\u009F\u06DD\u070F\u180E\u200C-\u200F\u202A-\u202E\u2060-\u2063\u206A-\u206F\uFEFF\uFFF9-\uFFFB]/gu;
const MAPPED_TO_SPACE = /[\u0009-\u000D\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]/gu;

/**
 * RFC 4518 string preparation for caseIgnoreMatch: map, case-fold, NFKC, and reduce insignificant
 * space (leading/trailing removed, inner runs collapsed to one). Case folding is approximated by
 * upper- then lower-casing, which folds ß to ss and final sigma like Unicode full case folding does.
 */
export function prepareString(text: string): string {
  let s = text.replace(MAPPED_TO_NOTHING, '').replace(MAPPED_TO_SPACE, ' ');
  s = s.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
  return s.trim().replace(/ +/g, ' ');
}

function attributeKey(attr: NameAttribute): string {
  if (attr.text === null) return `${attr.oid}#${toHex(attr.valueDer).toUpperCase()}`;
  // numericStringMatch ignores all spaces.
  const prepared = attr.valueTag === DerTag.numericString ? attr.text.replace(/ /g, '') : prepareString(attr.text);
  return `${attr.oid}=${prepared}`;
}

/** Reads the Name (RDNSequence) element `nameTlv` of `bytes`. Throws NameError/DerError with an offset. */
export function parseNameAt(bytes: Uint8Array, nameTlv: Tlv): ParsedName {
  if (nameTlv.tag !== DerTag.sequence) {
    throw new NameError(`expected a Name (SEQUENCE) at offset ${nameTlv.start}, found tag 0x${nameTlv.tag.toString(16)}`, nameTlv.start);
  }
  const rdns: Rdn[] = [];
  for (const setTlv of children(bytes, nameTlv)) {
    if (setTlv.tag !== DerTag.set) {
      throw new NameError(`expected an RDN (SET) at offset ${setTlv.start}, found tag 0x${setTlv.tag.toString(16)}`, setTlv.start);
    }
    const rdn: Rdn = [];
    for (const avaTlv of children(bytes, setTlv)) {
      if (avaTlv.tag !== DerTag.sequence) {
        throw new NameError(`expected an AttributeTypeAndValue (SEQUENCE) at offset ${avaTlv.start}`, avaTlv.start);
      }
      const oidTlv = expectTlv(bytes, avaTlv.contentStart, DerTag.oid, 'an attribute type', avaTlv.end);
      const valueTlv = readTlv(bytes, oidTlv.end, avaTlv.end);
      if (valueTlv.end !== avaTlv.end) {
        throw new NameError(`unexpected bytes after the attribute value at offset ${valueTlv.end}`, valueTlv.end);
      }
      const oid = decodeOid(bytes, oidTlv);
      rdn.push({
        oid,
        type: SHORT_NAMES[oid] ?? oid,
        valueTag: valueTlv.tag,
        text: decodeString(valueTlv.tag, bytes.subarray(valueTlv.contentStart, valueTlv.end)),
        valueDer: encodingOf(bytes, valueTlv),
      });
    }
    if (rdn.length === 0) throw new NameError(`empty RDN (SET with no attribute) at offset ${setTlv.start}`, setTlv.start);
    rdns.push(rdn);
  }
  // OpenSSL's RFC2253 output (and so nginx's $ssl_client_s_dn) reverses the flat attribute list, which also
  // reverses the attributes inside a multi-valued RDN; RFC 4514 allows any order there, so follow OpenSSL.
  const rfc4514 = rdns
    .slice()
    .reverse()
    .map((rdn) => rdn.slice().reverse().map(attributeToRfc4514).join('+'))
    .join(',');
  // A multi-valued RDN is a set: its attributes compare in any order.
  const key = JSON.stringify(rdns.map((rdn) => rdn.map(attributeKey).sort()));
  return { rdns, rfc4514, key, der: encodingOf(bytes, nameTlv) };
}

/** Parses a DER Name that fills `der` exactly (as in a CertificateRequest's certificate_authorities). */
export function parseName(der: Uint8Array): ParsedName {
  const tlv = readTlv(der, 0);
  if (tlv.end !== der.length) {
    throw new NameError(`${der.length - tlv.end} unexpected bytes after the Name at offset ${tlv.end}`, tlv.end);
  }
  return parseNameAt(der, tlv);
}

export interface NameParseError {
  kind: 'name-error';
  message: string;
  offset: number;
}

/** A DER Name as text and comparison key (parseDistinguishedName); shared by every caller of the same bytes. */
export interface DistinguishedName {
  readonly rfc4514: string;
  readonly key: string;
  readonly error?: NameParseError;
}

/**
 * Names parsed lately, by their bytes: a server sends the same CertificateRequest CA list on every handshake, and
 * each connection reads it three times (its report, its timeline, the rules), where parsing it again was 9 % of a
 * handshake-heavy run.
 */
const NAME_CACHE_LIMIT = 4096;
/** Longer Names (real ones are 50-300 bytes) are parsed each time: the cache holds at most ~4 MB of bytes. */
const NAME_CACHE_MAX_BYTES = 1024;
const nameCache = new ByteKeyedCache<DistinguishedName>(NAME_CACHE_LIMIT);

/**
 * The RFC 4514 string and the comparison key of a DER Name. A Name that does not parse gives
 * { rfc4514: '<unparsable name: …>', key: '' , error } — never a throw.
 */
export function parseDistinguishedName(der: Uint8Array): DistinguishedName {
  if (der.length > NAME_CACHE_MAX_BYTES) return parseUncached(der);
  const known = nameCache.get(der);
  if (known !== undefined) return known;
  const parsed = parseUncached(der);
  nameCache.set(der, parsed);
  return parsed;
}

function parseUncached(der: Uint8Array): DistinguishedName {
  try {
    const name = parseName(der);
    return Object.freeze({ rfc4514: name.rfc4514, key: name.key });
  } catch (e) {
    const error = toNameError(e);
    return Object.freeze({ rfc4514: `<unparsable name: ${error.message}>`, key: '', error });
  }
}

function toNameError(e: unknown): NameParseError {
  if (e instanceof NameError || e instanceof DerError) return { kind: 'name-error', message: e.message, offset: e.offset };
  return { kind: 'name-error', message: errorMessage(e), offset: 0 };
}

/**
 * RFC 5280 §7.1 name matching: same number of RDNs, each RDN with the same set of attribute types, and
 * values equal after RFC 4518 preparation (so PrintableString "Example" equals UTF8String "example ").
 * Accepts DER bytes, parsed names, or keys from parseDistinguishedName. An unparsable name matches nothing.
 */
export function namesMatch(a: Uint8Array | ParsedName | { key: string }, b: Uint8Array | ParsedName | { key: string }): boolean {
  const ka = keyOf(a);
  const kb = keyOf(b);
  return ka !== '' && ka === kb;
}

function keyOf(n: Uint8Array | ParsedName | { key: string }): string {
  if (n instanceof Uint8Array) return parseDistinguishedName(n).key;
  return n.key;
}
