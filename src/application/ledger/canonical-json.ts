import type { Json } from '../../domain/shared/json.js';

/** A value RFC 8785 cannot serialise: a non-finite number, or something that is not JSON at all. */
export class CanonicalJsonError extends Error {
  override readonly name = 'CanonicalJsonError';
  constructor(
    readonly problem: string,
    /** Where the value sits, outermost first: member names and array indexes. */
    readonly path: readonly (string | number)[] = [],
  ) {
    super(`${['$', ...path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))].join('')}: ${problem}`);
  }
}

type JsonRecord = { readonly [name: string]: unknown };

/** Plain objects only: what JSON.parse makes, not a Date, Map or class instance. */
const isRecord = (value: object): value is JsonRecord => {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/** Why a value is not JSON, or undefined when it is; only the value itself, not its members. */
const problemOf = (value: unknown): string | undefined => {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${String(value)} is not a JSON number`;
    case 'object':
      return value === null || Array.isArray(value) || isRecord(value) ? undefined : 'not a plain JSON object';
    default:
      return `a ${typeof value} is not JSON`;
  }
};

/** Marks the fast writer's failure; the error's path is found afterwards, so the common case pays nothing for it. */
class NotJson extends Error {}

/** A character JSON.stringify might escape: a control, quote, backslash, or surrogate (escaped when lone). */
const ESCAPED = /[^ !#-[\]-\ud7ff\ue000-\uffff]/; // anything outside these: controls, ", \\, surrogates

/** ECMAScript's JSON.stringify is RFC 8785's string form; most strings need none of it, and skipping it is faster. */
const writeString = (s: string): string => (ESCAPED.test(s) ? JSON.stringify(s) : `"${s}"`);

/** A string's canonical JSON (what `canonicalJson` writes for it), without the checks a value of unknown type needs. */
export const canonicalString = writeString;

const write = (value: unknown): string => {
  switch (typeof value) {
    case 'string':
      return writeString(value);
    case 'number':
      if (!Number.isFinite(value)) throw new NotJson();
      // Number::toString, as RFC 8785 prescribes; -0 becomes "0".
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '';
        for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + write(value[i]);
        return `[${out}]`;
      }
      if (!isRecord(value)) throw new NotJson();
      // Default sort compares UTF-16 code units: RFC 8785's order.
      const names = Object.keys(value).sort();
      let out = '';
      for (const name of names) {
        const member = value[name];
        // Absent (undefined) members are skipped, as JSON.stringify skips them.
        if (member !== undefined) out += (out === '' ? '' : ',') + writeString(name) + ':' + write(member);
      }
      return `{${out}}`;
    }
    default:
      throw new NotJson();
  }
};

/** Depth-first, in output order: the first value that is not JSON, and where it is. */
const locate = (value: unknown, path: (string | number)[]): CanonicalJsonError | undefined => {
  const problem = problemOf(value);
  if (problem !== undefined) return new CanonicalJsonError(problem, path);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = locate(value[i], [...path, i]);
      if (found !== undefined) return found;
    }
  } else if (typeof value === 'object' && value !== null && isRecord(value)) {
    for (const name of Object.keys(value).sort()) {
      const found = value[name] === undefined ? undefined : locate(value[name], [...path, name]);
      if (found !== undefined) return found;
    }
  }
  return undefined;
};

const canonical = (value: unknown): string => {
  try {
    return write(value);
  } catch (e) {
    if (e instanceof NotJson) throw locate(value, []) ?? new CanonicalJsonError('not JSON');
    throw e;
  }
};

/** RFC 8785 (JCS) canonical form of a JSON value; throws CanonicalJsonError on a non-finite number. */
export const canonicalJson = (value: Json): string => canonical(value);

/**
 * The same for a value decoded elsewhere (an export line's `data`, a stored event's metadata):
 * checks at run time that it is JSON, so nothing else can slip into a leaf.
 */
export const canonicalJsonOf = (value: unknown): string => canonical(value);
