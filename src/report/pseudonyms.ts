/**
 * The pseudonym table of one --redact run and the text scanner that uses it (docs/reports.md, "--redact").
 *
 * One table for the whole run: a value (compared without case) gets one pseudonym, the first time it is seen,
 * whatever field it came from — so an SNI, the SAN of the same name and the CN of the same name read the same.
 * Text is scanned in one pass: the text is cut into tokens (runs of letters and digits joined by `. - : / @`
 * and the like), each token and its pieces looked up in a Map; a value that is not one token (a subject with
 * spaces, `CN=…,O=…`) is found through its longest token (an anchor) and confirmed by comparing the text there.
 * So a scan costs time proportional to the text, not to the number of values the run has seen.
 */

/** What a value is; decides the shape of its pseudonym. */
export type ValueKind =
  | 'ip'
  | 'host'
  | 'serial'
  | 'fingerprint'
  | 'keyid'
  | 'client'
  | 'server'
  | 'org'
  | 'user'
  | 'email'
  | 'uri'
  | 'value'
  | 'file';

/**
 * Where a value may be replaced in free text: everywhere it stands as a whole token ('anywhere'); only after
 * the word "serial" unless it is long ('serial': a short serial like `4008` is also a frame number or a byte
 * count); never alone ('never': a plain word such as `CN=admin` would replace ordinary words of the prose — it
 * is replaced inside its whole subject, which is registered as its own value).
 */
export type TextMatch = 'anywhere' | 'serial' | 'never';

/**
 * Distinct values the table keeps, and entries its text index keeps (together about 45 MB); past it a value
 * gets its kind's shared overflow pseudonym, and text is scanned for it only within its own connection.
 */
export const MAX_PSEUDONYMS = 200_000;
/** Multi-token values remembered per anchor token; the newest win (the connection being redacted). */
const MAX_PER_ANCHOR = 32;

/** Tokens: letters/digits joined by single runs of punctuation that occurs inside names, addresses and URLs. */
const TOKEN = /(?:::)?[A-Za-z0-9_]+(?:[-.:@%+/~]+[A-Za-z0-9_]+)*(?:::)?/g;
/** Where a token is cut into pieces (a host inside `host:443`, `user@host`, `https://host/path`). */
const PIECE_SEPARATOR = /[:/@%+~]+/g;
const HAS_PIECE_SEPARATOR = /[:/@%+~]/;
const WORD_CHAR = /[A-Za-z0-9_]/;

interface TokenEntry {
  replacement: string;
  match: TextMatch;
}

interface AnchoredEntry {
  value: string;
  /** Where the anchor token starts inside `value`. */
  offset: number;
  replacement: string;
}

interface Candidate {
  start: number;
  end: number;
  replacement: string;
}

export class Pseudonyms {
  private readonly table = new Map<string, { kind: ValueKind; pseudonym: string }>();
  private readonly counters = new Map<string, number>();
  /** The run's text index, as bounded as the table. */
  private readonly global = new TextIndex();
  /**
   * Values of the connection being redacted once the run's index is full: its text is still scanned for its
   * own values (with their shared overflow pseudonyms), so a full table costs distinct names, never a leak.
   */
  private readonly local = new TextIndex();
  /** Steps of text scanning (token lookups and comparisons at anchors): what tests count instead of time. */
  scanSteps = 0;

  /** `limit`: distinct values kept for the run (tests make it small to see what happens past it). */
  constructor(private readonly limit = MAX_PSEUDONYMS) {}

  /** Distinct values the table holds. */
  get size(): number {
    return this.table.size;
  }

  /** True once new values get overflow pseudonyms and are scanned for only within their connection. */
  get full(): boolean {
    return this.table.size >= this.limit || this.global.size >= this.limit;
  }

  /** Forgets the previous connection's overflow values (see `local`). */
  startConnection(): void {
    if (this.local.size > 0) this.local.clear();
  }

  /** The pseudonym of a value already seen, whatever its kind; undefined if never seen. */
  known(value: string): string | undefined {
    return this.table.get(value.toLowerCase())?.pseudonym;
  }

  /**
   * The pseudonym of `value` (a new one of `kind` the first time); `match` says whether free text is scanned
   * for it. An empty value stays empty.
   */
  pseudonym(kind: ValueKind, value: string, match: TextMatch = 'anywhere'): string {
    if (value === '') return value;
    const key = value.toLowerCase();
    let pseudonym = this.table.get(key)?.pseudonym;
    if (pseudonym === undefined) {
      if (this.table.size >= this.limit) pseudonym = make(kind, 0, value);
      else {
        const counter = kind === 'email' ? 'user' : kind;
        const n = (this.counters.get(counter) ?? 0) + 1;
        this.counters.set(counter, n);
        pseudonym = make(kind, n, value);
        this.table.set(key, { kind, pseudonym });
      }
    }
    if (match !== 'never') this.index(value, pseudonym, match);
    return pseudonym;
  }

  /** Free text that must stay as it is (a CA name): a replaced value inside it is left alone. */
  keep(value: string): void {
    if (value !== '' && !isOneToken(value)) this.index(value, value, 'anywhere');
  }

  /** Registers a value the caller already replaced (a whole subject → its redacted form) for text scans. */
  alias(value: string, replacement: string, match: TextMatch = 'anywhere'): void {
    if (value === '' || match === 'never') return;
    const key = value.toLowerCase();
    if (!this.table.has(key) && this.table.size < this.limit) this.table.set(key, { kind: 'value', pseudonym: replacement });
    this.index(value, replacement, match);
  }

  /** `text` with every value the table knows replaced (whole tokens only; the longest match wins). */
  inText(text: string): string {
    if (text === '') return text;
    const candidates: Candidate[] = [];
    const tokens = new RegExp(TOKEN);
    for (let m = tokens.exec(text); m !== null; m = tokens.exec(text)) {
      const token = m[0];
      const start = m.index;
      this.candidatesAt(text, token, start, candidates);
      if (HAS_PIECE_SEPARATOR.test(token)) {
        for (const piece of pieces(token)) this.candidatesAt(text, piece.text, start + piece.offset, candidates);
      }
    }
    if (candidates.length === 0) return text;
    candidates.sort((a, b) => a.start - b.start || b.end - a.end);
    let out = '';
    let at = 0;
    for (const c of candidates) {
      if (c.start < at) continue;
      out += text.slice(at, c.start) + c.replacement;
      at = c.end;
    }
    return out + text.slice(at);
  }

  private candidatesAt(text: string, token: string, start: number, out: Candidate[]): void {
    const key = token.toLowerCase();
    this.scanSteps++;
    this.candidatesIn(this.global, text, token, key, start, out);
    if (this.local.size > 0) this.candidatesIn(this.local, text, token, key, start, out);
  }

  private candidatesIn(index: TextIndex, text: string, token: string, key: string, start: number, out: Candidate[]): void {
    const single = index.tokens.get(key);
    if (single !== undefined && (single.match === 'anywhere' || afterTheWordSerial(text, start) || token.length >= 8)) {
      out.push({ start, end: start + token.length, replacement: single.replacement });
    }
    const anchored = index.anchors.get(key);
    if (anchored === undefined) return;
    for (const a of anchored) {
      this.scanSteps++;
      const at = start - a.offset;
      if (at < 0 || !text.startsWith(a.value, at)) continue;
      if (!wholeAt(text, at, at + a.value.length)) continue;
      out.push({ start: at, end: at + a.value.length, replacement: a.replacement });
    }
  }

  private index(value: string, replacement: string, match: TextMatch): void {
    if (this.global.size < this.limit || this.global.has(value)) this.global.add(value, replacement, match);
    else this.local.add(value, replacement, match);
  }
}

/** Values looked up in text: one-token values by the token, the others by their longest token (an anchor). */
class TextIndex {
  readonly tokens = new Map<string, TokenEntry>();
  readonly anchors = new Map<string, AnchoredEntry[]>();
  /** Entries held (tokens and anchored values). */
  size = 0;

  clear(): void {
    this.tokens.clear();
    this.anchors.clear();
    this.size = 0;
  }

  has(value: string): boolean {
    if (isOneToken(value)) return this.tokens.has(value.toLowerCase());
    const anchor = anchorOf(value);
    return anchor !== null && (this.anchors.get(anchor.text.toLowerCase())?.some((e) => e.value === value) ?? false);
  }

  add(value: string, replacement: string, match: TextMatch): void {
    if (isOneToken(value)) {
      const key = value.toLowerCase();
      if (!this.tokens.has(key)) {
        this.tokens.set(key, { replacement, match });
        this.size++;
      }
      return;
    }
    const anchor = anchorOf(value);
    if (anchor === null) return;
    const key = anchor.text.toLowerCase();
    let list = this.anchors.get(key);
    if (list === undefined) this.anchors.set(key, (list = []));
    const existing = list.find((e) => e.value === value);
    if (existing !== undefined) {
      // A name first kept as a CA name and then found to be a leaf's own (a self-signed leaf) is replaced.
      if (existing.replacement === existing.value) existing.replacement = replacement;
      return;
    }
    list.push({ value, offset: anchor.offset, replacement });
    this.size++;
    if (list.length > MAX_PER_ANCHOR) {
      list.shift();
      this.size--;
    }
  }
}

/** The longest token of a value and where it starts in it; null when the value has no token. */
function anchorOf(value: string): { text: string; offset: number } | null {
  let anchor: { text: string; offset: number } | null = null;
  for (const m of value.matchAll(TOKEN)) {
    if (anchor === null || m[0].length > anchor.text.length) anchor = { text: m[0], offset: m.index };
  }
  return anchor;
}

function make(kind: ValueKind, n: number, value: string): string {
  const id = n === 0 ? 'more' : String(n);
  switch (kind) {
    case 'ip':
      if (n === 0) return value.includes(':') ? '2001:db8::ffff' : '10.255.255.255';
      return value.includes(':') ? `2001:db8::${n.toString(16)}` : `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
    case 'host':
      return `host-${id}.example`;
    case 'fingerprint':
      return `sha256:redacted-${id}`;
    case 'email':
      return `user-${id}@example.invalid`;
    case 'file': {
      const suffix = captureSuffix(value);
      return suffix === '' ? `file-${id}` : `capture-${id}${suffix}`;
    }
    default:
      return `${kind}-${id}`;
  }
}

/** The suffix that says what a capture file is (`.pcapng.gz`), kept on its pseudonym; nothing else of the name. */
function captureSuffix(path: string): string {
  return /\.(?:pcapng|pcap|cap)(?:\.gz)?$|\.gz$/i.exec(path)?.[0].toLowerCase() ?? '';
}

function isOneToken(value: string): boolean {
  TOKEN.lastIndex = 0;
  const m = value.match(TOKEN);
  return m !== null && m.length === 1 && m[0] === value;
}

function* pieces(token: string): Generator<{ text: string; offset: number }> {
  let at = 0;
  for (const sep of token.matchAll(PIECE_SEPARATOR)) {
    if (sep.index > at) yield { text: token.slice(at, sep.index), offset: at };
    at = sep.index + sep[0].length;
  }
  if (at > 0 && at < token.length) yield { text: token.slice(at), offset: at };
}

/** A match must not continue a longer name or number: `localhost` inside `localhost2` or `a.localhost` is not it. */
function wholeAt(text: string, start: number, end: number): boolean {
  if (WORD_CHAR.test(text[start] ?? '')) {
    const before = text[start - 1] ?? '';
    if (WORD_CHAR.test(before) || before === '.' || before === '-') return false;
  }
  if (WORD_CHAR.test(text[end - 1] ?? '')) {
    const after = text[end] ?? '';
    if (WORD_CHAR.test(after)) return false;
    if ((after === '.' || after === '-') && WORD_CHAR.test(text[end + 1] ?? '')) return false;
  }
  return true;
}

function afterTheWordSerial(text: string, start: number): boolean {
  return /serial(?:[ _]?number)?[\s:=(#]*$/i.test(text.slice(Math.max(0, start - 24), start));
}
