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

/** The escapes JSON.stringify writes: `\" \\ \b \f \n \r \t`, and `\u00xx` (lowercase) for the other control characters. */
const STRINGIFY_ESCAPES = /\\(?:["\\bfnrt]|u00(?:0[0-7bef]|1[0-9a-f]))/g;

const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/** Digits, '.', 'e', 'E', '+', '-': what a number token is made of (its form is checked afterwards). */
const isNumberChar = (c: number): boolean => (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;

// The scanner's state: one text at a time, synchronously (module state keeps the calls cheap).
let text = '';
let at = 0;

/** Marks a value whose canonical form is its own text: the caller slices it only if it must rebuild around it. */
const SAME = null;
type Canonical = string | typeof SAME;

/** The canonical form of the value at `at` (or SAME), moving past it. */
const value = (): Canonical => {
  const c = text.charCodeAt(at);
  if (c === QUOTE) return string();
  if (c === OPEN_OBJECT) return object();
  if (c === OPEN_ARRAY) return array();
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return number();
  if (text.startsWith('true', at)) at += 4;
  else if (text.startsWith('null', at)) at += 4;
  else if (text.startsWith('false', at)) at += 5;
  else throw NOT_SIMPLE;
  return SAME;
};

/** Whether the text being scanned holds a backslash at all: most hold none, and their strings end at the next quote. */
let escapes = false;

/**
 * A string: with no raw control character or surrogate in the text (checked first) and only the
 * escapes JSON.stringify writes, its text is its canonical form.
 */
const string = (): Canonical => {
  const start = at;
  let end = text.indexOf('"', start + 1);
  if (escapes) {
    // A quote after an odd run of backslashes is escaped.
    for (;;) {
      if (end < 0) throw NOT_SIMPLE;
      let run = 0;
      while (text.charCodeAt(end - 1 - run) === BACKSLASH) run++;
      if (run % 2 === 0) break;
      end = text.indexOf('"', end + 1);
    }
    at = end + 1;
    const token = text.slice(start, at);
    // Taken left to right, so an escaped backslash is one escape; a backslash left over starts one JSON.stringify would not write.
    if (token.includes('\\') && token.replace(STRINGIFY_ESCAPES, '').includes('\\')) throw NOT_SIMPLE;
    return SAME;
  }
  if (end < 0) throw NOT_SIMPLE;
  at = end + 1;
  return SAME;
};

/** At most 15 digits, no leading zero: an integer ECMAScript writes as it is (the common case, checked without a conversion). */
const PLAIN_INTEGER = /^-?(?:0|[1-9]\d{0,14})$/;

/** A number already in ECMAScript's shortest form (what JSON.stringify writes). */
const number = (): Canonical => {
  const start = at;
  at++;
  while (isNumberChar(text.charCodeAt(at))) at++;
  const token = text.slice(start, at);
  if (token === '-0' || (!PLAIN_INTEGER.test(token) && String(Number(token)) !== token)) throw NOT_SIMPLE;
  return SAME;
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

interface Member {
  readonly name: string;
  /** `"name":value`, canonical. */
  readonly text: string;
}

const object = (): Canonical => {
  at++;
  if (text.charCodeAt(at) === CLOSE_OBJECT) {
    at++;
    return SAME;
  }
  const members: Member[] = [];
  let same = true;
  let previous: string | undefined;
  for (;;) {
    const memberStart = at;
    if (text.charCodeAt(at) !== QUOTE) throw NOT_SIMPLE;
    string();
    const name = text.slice(memberStart + 1, at - 1);
    // Names are compared as written: one with an escape is left to the parser.
    if (escapes && name.includes('\\')) throw NOT_SIMPLE;
    if (text.charCodeAt(at++) !== COLON) throw NOT_SIMPLE;
    const valueStart = at;
    const out = value();
    // A repeated name is not simple (JSON.parse keeps only its last value): `<=` sends it to the sort, which refuses it.
    if (previous !== undefined && name <= previous) same = false;
    if (out !== SAME) same = false;
    previous = name;
    members.push({ name, text: out === SAME ? text.slice(memberStart, at) : `${text.slice(memberStart, valueStart)}${out}` });
    const c = text.charCodeAt(at++);
    if (c === CLOSE_OBJECT) break;
    if (c !== COMMA) throw NOT_SIMPLE;
  }
  if (same) return SAME;
  sortMembers(members);
  // One join: a flat string, which node:crypto hashes faster than a chain of concatenations.
  const texts = members.map((m) => m.text);
  texts[0] = `{${texts[0] ?? ''}`;
  texts[texts.length - 1] = `${texts[texts.length - 1] ?? ''}}`;
  return texts.join(',');
};

/**
 * Sorts the members by name, in place (insertion sort: an event's objects have a handful of
 * members). Names compare by UTF-16 code units, as RFC 8785 asks and as `<` does. A repeated name
 * is not simple: JSON.parse would keep only its last value.
 */
const sortMembers = (members: Member[]): void => {
  for (let i = 1; i < members.length; i++) {
    const member = members[i];
    if (member === undefined) continue;
    let j = i - 1;
    for (; j >= 0 && member.name < (members[j]?.name ?? ''); j--) members[j + 1] = members[j] ?? member;
    if (j >= 0 && members[j]?.name === member.name) throw NOT_SIMPLE;
    members[j + 1] = member;
  }
};

/** The canonical form of JSON `source`, or undefined when it is not in the simple form (see above). */
export const canonicalFromText = (source: string): string | undefined => {
  // One native scan of the whole text instead of one per character of each string.
  if (NOT_PLAIN.test(source)) return undefined;
  text = source;
  at = 0;
  escapes = source.includes('\\');
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
