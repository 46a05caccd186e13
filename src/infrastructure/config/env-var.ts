import { left, right, type Either } from 'fp-ts/lib/Either.js';

/**
 * How one environment variable is read: its value, or what is wrong with it; `accepts` says
 * what would do, for the error line.
 */
export interface EnvVar<A> {
  readonly accepts: string;
  /** Never echo the value (secrets, keys). */
  readonly secret?: boolean;
  decode(raw: string): Either<string, A>;
}

export const text = (options: { secret?: boolean } = {}): EnvVar<string> => ({ accepts: 'any text', ...options, decode: right });

export const integer = (min = 0, max = Number.MAX_SAFE_INTEGER): EnvVar<number> => ({
  accepts: max === Number.MAX_SAFE_INTEGER ? `a whole number ≥ ${min}` : `a whole number from ${min} to ${max}`,
  decode: (raw) => {
    const s = raw.trim();
    if (!/^\d+$/.test(s)) return left(s === '' ? 'is empty' : /^-\d+$/.test(s) ? 'is negative' : 'is not a whole number');
    const n = Number(s);
    return n < min || n > max ? left('is out of range') : right(n);
  },
});

export const oneOf = <K extends string>(...keys: readonly K[]): EnvVar<K> => ({
  accepts: `one of ${keys.join(', ')}`,
  decode: (raw) => ((keys as readonly string[]).includes(raw) ? right(raw as K) : left('is not a known value')),
});

/** `PORT="abc" is not a whole number; expected a whole number from 0 to 65535`. */
export const describeBadVar = (name: string, v: EnvVar<unknown>, raw: string, problem: string): string => {
  const shown = v.secret === true ? '(value hidden)' : JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);
  return `${name}=${shown} ${problem}; expected ${v.accepts}`;
};
