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

const isPlainObject = (value: object): boolean => {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/** `<` on strings compares UTF-16 code units, RFC 8785's order; member names are unique, so never equal. */
const byName = ([a]: [string, unknown], [b]: [string, unknown]): number => (a < b ? -1 : 1);

/** The error path is built while unwinding, so the common case pays nothing for it. */
const within = (value: unknown, segment: string | number): string => {
  try {
    return write(value);
  } catch (e) {
    if (e instanceof CanonicalJsonError) throw new CanonicalJsonError(e.problem, [segment, ...e.path]);
    throw e;
  }
};

const write = (value: unknown): string => {
  switch (typeof value) {
    case 'string':
      // ECMAScript's JSON.stringify is RFC 8785's string form (a lone surrogate becomes a \udxxx escape).
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`${String(value)} is not a JSON number`);
      // Number::toString, as RFC 8785 prescribes; -0 becomes "0".
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map((item: unknown, i) => within(item, i)).join(',')}]`;
      if (!isPlainObject(value)) throw new CanonicalJsonError('not a plain JSON object');
      // Absent (undefined) members are skipped, as JSON.stringify skips them.
      const members = Object.entries(value).filter(([, v]) => v !== undefined);
      members.sort(byName);
      let out = '';
      for (const [name, v] of members) out += `,${JSON.stringify(name)}:${within(v, name)}`;
      return `{${out.slice(1)}}`;
    }
    default:
      throw new CanonicalJsonError(`a ${typeof value} is not JSON`);
  }
};

/** RFC 8785 (JCS) canonical form of a JSON value; throws CanonicalJsonError on a non-finite number. */
export const canonicalJson = (value: Json): string => write(value);

/**
 * The same for a value decoded elsewhere (an export line's `data`, a stored event's metadata):
 * checks at run time that it is JSON, so nothing else can slip into a leaf.
 */
export const canonicalJsonOf = (value: unknown): string => write(value);
