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

/** Distinct values the table keeps (about 40 MB); past it a value gets its kind's shared overflow pseudonym. */
export const MAX_PSEUDONYMS = 200_000;
/** Multi-token values remembered per anchor token; the newest win (the connection being redacted). */
const MAX_PER_ANCHOR = 32;

/** Tokens: letters/digits joined by single runs of punctuation that occurs inside names, addresses and URLs. */
const TOKEN = /(?:::)?[A-Za-z0-9_]+(?:[-.:@%+/~]+[A-Za-z0-9_]+)*(?:::)?/g;
/** Where a token is cut into pieces (a host inside `host:443`, `user@host`, `https://host/path`). */
const PIECE_SEPARATOR = /[:/@%+~]+/g;
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
  private readonly tokens = new Map<string, TokenEntry>();
  private readonly anchors = new Map<string, AnchoredEntry[]>();
  /** Steps of text scanning (token lookups and comparisons at anchors): what tests count instead of time. */
  scanSteps = 0;

  /** Distinct values the table holds. */
  get size(): number {
    return this.table.size;
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
    let entry = this.table.get(key);
    if (entry === undefined) {
      if (this.table.size >= MAX_PSEUDONYMS) return make(kind, 0, value);
      const counter = kind === 'email' ? 'user' : kind;
      const n = (this.counters.get(counter) ?? 0) + 1;
      this.counters.set(counter, n);
      entry = { kind, pseudonym: make(kind, n, value) };
      this.table.set(key, entry);
    }
    if (match !== 'never') this.index(value, entry.pseudonym, match);
    return entry.pseudonym;
  }

  /** Free text that must stay as it is (a CA name): a replaced value inside it is left alone. */
  keep(value: string): void {
    if (value !== '' && !isOneToken(value)) this.index(value, value, 'anywhere');
  }

  /** Registers a value the caller already replaced (a whole subject → its redacted form) for text scans. */
  alias(value: string, replacement: string, match: TextMatch = 'anywhere'): void {
    if (value === '' || match === 'never') return;
    const key = value.toLowerCase();
    if (!this.table.has(key) && this.table.size < MAX_PSEUDONYMS) this.table.set(key, { kind: 'value', pseudonym: replacement });
    this.index(value, replacement, match);
  }

  /** `text` with every value the table knows replaced (whole tokens only; the longest match wins). */
  inText(text: string): string {
    if (text === '') return text;
    const candidates: Candidate[] = [];
    for (const m of text.matchAll(TOKEN)) {
      const token = m[0];
      const start = m.index;
      this.candidatesAt(text, token, start, candidates);
      if (token.search(PIECE_SEPARATOR) !== -1) {
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
    const single = this.tokens.get(key);
    if (single !== undefined && (single.match === 'anywhere' || afterTheWordSerial(text, start) || token.length >= 8)) {
      out.push({ start, end: start + token.length, replacement: single.replacement });
    }
    const anchored = this.anchors.get(key);
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
    if (isOneToken(value)) {
      const key = value.toLowerCase();
      if (!this.tokens.has(key)) this.tokens.set(key, { replacement, match });
      return;
    }
    let anchor: { text: string; offset: number } | null = null;
    for (const m of value.matchAll(TOKEN)) {
      if (anchor === null || m[0].length > anchor.text.length) anchor = { text: m[0], offset: m.index };
    }
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
    if (list.length > MAX_PER_ANCHOR) list.shift();
  }
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
