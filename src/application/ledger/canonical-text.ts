/**
 * RFC 8785 canonical JSON straight from JSON text, without parsing it into objects: for text in
 * the form `JSON.stringify` writes (what the stores write), the canonical form is the same text
 * with every object's members sorted, since RFC 8785's strings and numbers are ECMAScript's own
 * serialisation. `ledger verify` canonicalises a million events' data and metadata this way.
 *
 * Anything else (whitespace, an escape in a string, a surrogate, a number not in its shortest
 * form, a repeated member name) answers undefined: the caller then parses the text and
 * canonicalises the value (canonical-json.ts). So the answer, when there is one, is always
 * `canonicalJsonOf(JSON.parse(text))`, which the tests check on arbitrary values.
 */

/** Thrown inside the scanner when the text is not of the simple form; never escapes this module. */
const NOT_SIMPLE: unique symbol = Symbol('not simple');

/** What no string of the simple form holds: an escape, a control character (raw, it is not JSON either), a surrogate. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const NOT_PLAIN = /[\\\u0000-\u001f\ud800-\udfff]/;

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

/** The canonical form of the value at `at`, which moves past it. */
const value = (): string => {
  const c = text.charCodeAt(at);
  if (c === QUOTE) return string();
  if (c === OPEN_OBJECT) return object();
  if (c === OPEN_ARRAY) return array();
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return number();
  for (const word of ['true', 'false', 'null'])
    if (text.startsWith(word, at)) {
      at += word.length;
      return word;
    }
  throw NOT_SIMPLE;
};

/** A string: the whole text holds no escape, control character or surrogate (checked first), so its text is its canonical form. */
const string = (): string => {
  const start = at;
  const end = text.indexOf('"', start + 1);
  if (end < 0) throw NOT_SIMPLE;
  at = end + 1;
  return text.slice(start, at);
};

/** A number already in ECMAScript's shortest form (what JSON.stringify writes). */
const number = (): string => {
  const start = at;
  at++;
  while (isNumberChar(text.charCodeAt(at))) at++;
  const token = text.slice(start, at);
  if (String(Number(token)) !== token) throw NOT_SIMPLE;
  return token;
};

const array = (): string => {
  at++;
  if (text.charCodeAt(at) === CLOSE_ARRAY) {
    at++;
    return '[]';
  }
  let out = '[';
  for (;;) {
    out += value();
    const c = text.charCodeAt(at++);
    if (c === CLOSE_ARRAY) return `${out}]`;
    if (c !== COMMA) throw NOT_SIMPLE;
    out += ',';
  }
};

const object = (): string => {
  at++;
  if (text.charCodeAt(at) === CLOSE_OBJECT) {
    at++;
    return '{}';
  }
  const names: string[] = [];
  const members: string[] = [];
  let sorted = true;
  for (;;) {
    if (text.charCodeAt(at) !== QUOTE) throw NOT_SIMPLE;
    const nameStart = at + 1;
    const token = string();
    if (text.charCodeAt(at++) !== COLON) throw NOT_SIMPLE;
    const name = text.slice(nameStart, at - 2);
    if (sorted && names.length > 0 && !((names[names.length - 1] ?? '') < name)) sorted = false;
    names.push(name);
    members.push(token + ':' + value());
    const c = text.charCodeAt(at++);
    if (c === CLOSE_OBJECT) break;
    if (c !== COMMA) throw NOT_SIMPLE;
  }
  if (!sorted) sortTogether(names, members);
  return `{${members.join(',')}}`;
};

/**
 * Sorts the members by name, in place (insertion sort: an event's objects have a handful of
 * members). Names compare by UTF-16 code units, as RFC 8785 asks and as `<` does. A repeated name
 * is not simple: JSON.parse would keep only its last value.
 */
const sortTogether = (names: string[], members: string[]): void => {
  for (let i = 1; i < names.length; i++) {
    const name = names[i] ?? '';
    const member = members[i] ?? '';
    let j = i - 1;
    for (; j >= 0 && name < (names[j] ?? ''); j--) {
      names[j + 1] = names[j] ?? '';
      members[j + 1] = members[j] ?? '';
    }
    if (j >= 0 && names[j] === name) throw NOT_SIMPLE;
    names[j + 1] = name;
    members[j + 1] = member;
  }
};

/** The canonical form of JSON `source`, or undefined when it is not in the simple form (see above). */
export const canonicalFromText = (source: string): string | undefined => {
  // One native scan of the whole text instead of one per character of each string.
  if (NOT_PLAIN.test(source)) return undefined;
  text = source;
  at = 0;
  try {
    const out = value();
    return at === source.length ? out : undefined;
  } catch (e) {
    if (e === NOT_SIMPLE) return undefined;
    throw e;
  } finally {
    text = '';
  }
};
