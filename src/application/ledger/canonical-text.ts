/**
 * RFC 8785 canonical JSON straight from JSON text, without parsing it into objects: for text in
 * the form `JSON.stringify` writes (what the stores write), the canonical form is the same text
 * with every object's members sorted, since RFC 8785's strings and numbers are ECMAScript's own
 * serialisation. `ledger verify` canonicalises a million events' data and metadata this way.
 *
 * Anything else (whitespace, an escape `JSON.stringify` would not write, an escape in a member
 * name, a raw surrogate, a number not in its shortest form, a repeated member name) answers
 * undefined: the caller then parses the text and canonicalises the value (canonical-json.ts). So
 * the answer, when there is one, is always `canonicalJsonOf(JSON.parse(text))`, which the tests
 * check on arbitrary values.
 */

/** Thrown inside the scanner when the text is not of the simple form; never escapes this module. */
const NOT_SIMPLE: unique symbol = Symbol('not simple');

/** What no text of the simple form holds: a raw control character (it is not JSON either), a surrogate. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const NOT_PLAIN = /[\u0000-\u001f\ud800-\udfff]/;

const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const ZERO = 0x30;
const NINE = 0x39;
const MINUS = 0x2d;

/** Digits, '.', 'e', 'E', '+', '-': what a number token is made of (its form is checked afterwards). */
const isNumberChar = (c: number): boolean => (c >= ZERO && c <= NINE) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === MINUS;

/** Lowercase hex digit (JSON.stringify writes `\u00xx` in lowercase). */
const isLowerHex = (c: number): boolean => (c >= ZERO && c <= NINE) || (c >= 0x61 && c <= 0x66);

// The scanner's state: one text at a time, synchronously (module state keeps the calls cheap).
let text = '';
let at = 0;
/** The first backslash at or after where strings are being scanned (text.length when none is left). */
let backslash = 0;
/** Whether the last string scanned held an escape. */
let escaped = false;

/**
 * The members of the objects being scanned, innermost last: where each starts (its name's
 * quote), where its value starts, where it ends; its value's canonical text when that is not its
 * own text; and the order they are written in. Slots [base, top) belong to the innermost object.
 */
let memberStart = new Int32Array(64);
let valueStart = new Int32Array(64);
let memberEnd = new Int32Array(64);
let order = new Int32Array(64);
/** Each name's first code unit (-1 when empty): most comparisons end there. */
let firstUnit = new Int32Array(64);
// Stale entries are overwritten before they are read.
const rebuilt: (string | null)[] = [];
let top = 0;

const grow = (): void => {
  const grown = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
    const b = new Int32Array(a.length * 2);
    b.set(a);
    return b;
  };
  memberStart = grown(memberStart);
  valueStart = grown(valueStart);
  memberEnd = grown(memberEnd);
  order = grown(order);
  firstUnit = grown(firstUnit);
};

/** Marks a value whose canonical form is its own text: the caller slices it only if it must rebuild around it. */
const SAME = null;
type Canonical = string | typeof SAME;

/** The canonical form of the value at `at` (or SAME), moving past it. */
const value = (): Canonical => {
  const c = text.charCodeAt(at);
  if (c === QUOTE) {
    string();
    return SAME;
  }
  if (c === OPEN_OBJECT) return object();
  if (c === OPEN_ARRAY) return array();
  if (c === MINUS || (c >= ZERO && c <= NINE)) {
    number();
    return SAME;
  }
  if (text.startsWith('true', at)) at += 4;
  else if (text.startsWith('null', at)) at += 4;
  else if (text.startsWith('false', at)) at += 5;
  else throw NOT_SIMPLE;
  return SAME;
};

/** The length of the escape at `b` when it is one JSON.stringify writes: `\" \\ \b \f \n \r \t`, or `\u00xx` (lowercase) for another control character. */
const escapeLength = (b: number): number => {
  const c = text.charCodeAt(b + 1);
  if (c === QUOTE || c === BACKSLASH || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74) return 2;
  if (c !== 0x75 || text.charCodeAt(b + 2) !== ZERO || text.charCodeAt(b + 3) !== ZERO) throw NOT_SIMPLE;
  const high = text.charCodeAt(b + 4);
  const low = text.charCodeAt(b + 5);
  // \u0008 \u0009 \u000a \u000c \u000d are written \b \t \n \f \r.
  if (high === ZERO && ((low >= ZERO && low <= 0x37) || low === 0x62 || low === 0x65 || low === 0x66)) return 6;
  if (high === 0x31 && isLowerHex(low)) return 6;
  throw NOT_SIMPLE;
};

/**
 * A string, moving past it: with no raw control character or surrogate in the text (checked
 * first) and only the escapes JSON.stringify writes, its text is its canonical form. Escapes are
 * checked where they are, the rest skipped to the next quote.
 */
const string = (): void => {
  let from = at + 1;
  escaped = false;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) throw NOT_SIMPLE;
    if (backslash < from) {
      backslash = text.indexOf('\\', from);
      if (backslash < 0) backslash = text.length;
    }
    if (backslash > quote) {
      at = quote + 1;
      return;
    }
    escaped = true;
    // An escaped quote is skipped with its escape.
    from = backslash + escapeLength(backslash);
  }
};

/** A number already in ECMAScript's shortest form (what JSON.stringify writes), moving past it. */
const number = (): void => {
  const start = at;
  let c = text.charCodeAt(at);
  if (c === MINUS) c = text.charCodeAt(++at);
  // The common case, checked without a conversion: at most 15 digits, no leading zero, nothing else.
  let digits = 0;
  while (c >= ZERO && c <= NINE) {
    digits++;
    c = text.charCodeAt(++at);
  }
  if (!isNumberChar(c) && digits > 0 && digits <= 15 && (digits === 1 || text.charCodeAt(at - digits) !== ZERO)) {
    if (digits === 1 && text.charCodeAt(start) === MINUS && text.charCodeAt(start + 1) === ZERO) throw NOT_SIMPLE; // -0
    return;
  }
  while (isNumberChar(text.charCodeAt(at))) at++;
  const token = text.slice(start, at);
  if (token === '-0' || String(Number(token)) !== token) throw NOT_SIMPLE;
};

/** The value's canonical text: what `value` gave, or the source between `start` and `end` when it gave SAME. */
const textOf = (out: Canonical, start: number, end: number): string => (out === SAME ? text.slice(start, end) : out);

const array = (): Canonical => {
  at++;
  if (text.charCodeAt(at) === CLOSE_ARRAY) {
    at++;
    return SAME;
  }
  // Built only once an element changed: until then the array is its own text.
  let built: string | undefined;
  const open = at;
  for (;;) {
    const start = at;
    const out = value();
    if (out !== SAME && built === undefined) built = text.slice(open, start);
    if (built !== undefined) built += textOf(out, start, at);
    const c = text.charCodeAt(at++);
    if (c === CLOSE_ARRAY) return built === undefined ? SAME : `[${built}]`;
    if (c !== COMMA) throw NOT_SIMPLE;
    if (built !== undefined) built += ',';
  }
};

/** Compares the names of members `a` and `b` (written without escapes) by UTF-16 code units, as RFC 8785 asks and as `<` does. */
const compareNames = (a: number, b: number): number => {
  const first = (firstUnit[a] ?? 0) - (firstUnit[b] ?? 0);
  if (first !== 0) return first;
  let i = memberStart[a] ?? 0;
  let j = memberStart[b] ?? 0;
  const aEnd = (valueStart[a] ?? 0) - 2;
  const bEnd = (valueStart[b] ?? 0) - 2;
  // Both start at their opening quote, equal; each name ends before `":`.
  for (i++, j++; i < aEnd && j < bEnd; i++, j++) {
    const d = text.charCodeAt(i) - text.charCodeAt(j);
    if (d !== 0) return d;
  }
  return aEnd - i - (bEnd - j);
};

const object = (): Canonical => {
  at++;
  if (text.charCodeAt(at) === CLOSE_OBJECT) {
    at++;
    return SAME;
  }
  const base = top;
  let same = true;
  for (;;) {
    const start = at;
    if (text.charCodeAt(at) !== QUOTE) throw NOT_SIMPLE;
    string();
    // Names are compared as written: one with an escape is left to the parser.
    if (escaped) throw NOT_SIMPLE;
    if (text.charCodeAt(at++) !== COLON) throw NOT_SIMPLE;
    const valueAt = at;
    const slot = top;
    if (slot >= memberStart.length) grow();
    // The value's own members (if it is an object) take the slots above this one while it is scanned.
    top = slot + 1;
    const out = value();
    memberStart[slot] = start;
    valueStart[slot] = valueAt;
    memberEnd[slot] = at;
    order[slot] = slot;
    firstUnit[slot] = valueAt - 2 > start + 1 ? text.charCodeAt(start + 1) : -1;
    rebuilt[slot] = out;
    if (out !== SAME) same = false;
    // A repeated name is not simple (JSON.parse keeps only its last value): `<=` sends it to the sort, which refuses it.
    if (slot > base && compareNames(slot, slot - 1) <= 0) same = false;
    const c = text.charCodeAt(at++);
    if (c === CLOSE_OBJECT) break;
    if (c !== COMMA) throw NOT_SIMPLE;
  }
  const end = top;
  top = base;
  if (same) return SAME;
  sortMembers(base, end);
  let out = '{';
  for (let k = base; k < end; k++) {
    const m = order[k] ?? 0;
    const own = rebuilt[m] ?? SAME;
    const s = memberStart[m] ?? 0;
    out += (k === base ? '' : ',') + (own === SAME ? text.slice(s, memberEnd[m]) : text.slice(s, valueStart[m]) + own);
  }
  return `${out}}`;
};

/**
 * Sorts `order[base, end)` by member name (insertion sort: an event's objects have a handful of
 * members). A repeated name is not simple: JSON.parse would keep only its last value.
 */
const sortMembers = (base: number, end: number): void => {
  for (let i = base + 1; i < end; i++) {
    const member = order[i] ?? 0;
    let j = i - 1;
    let d = -1;
    for (; j >= base; j--) {
      d = compareNames(member, order[j] ?? 0);
      if (d >= 0) break;
      order[j + 1] = order[j] ?? 0;
    }
    if (d === 0) throw NOT_SIMPLE;
    order[j + 1] = member;
  }
};

/** The canonical form of JSON `source`, or undefined when it is not in the simple form (see above). */
export const canonicalFromText = (source: string): string | undefined => {
  // One native scan of the whole text instead of one per character of each string.
  if (NOT_PLAIN.test(source)) return undefined;
  text = source;
  at = 0;
  backslash = 0;
  top = 0;
  try {
    const out = value();
    if (at !== source.length) return undefined;
    return out === SAME ? source : out;
  } catch (e) {
    if (e === NOT_SIMPLE) return undefined;
    throw e;
  } finally {
    text = '';
  }
};
