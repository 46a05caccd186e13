import * as t from 'io-ts';

/**
 * An io-ts codec for an array of `[key, value]` pairs, checked in one loop: a chat's windows
 * hold two thousand pairs, and io-ts' generic tuple codec costs tens of milliseconds on them,
 * on the path of a chat's first command after a restart.
 */
export const pairsOf = <K, V>(name: string, isKey: (u: unknown) => u is K, isValue: (u: unknown) => u is V): t.Type<[K, V][], [K, V][], unknown> => {
  const is = (u: unknown): u is [K, V][] => Array.isArray(u) && u.every((p: unknown) => Array.isArray(p) && p.length === 2 && isKey(p[0]) && isValue(p[1]));
  return new t.Type(name, is, (u, c) => (is(u) ? t.success(u) : t.failure(u, c)), t.identity);
};

export const isString = (u: unknown): u is string => typeof u === 'string';
export const isNumber = (u: unknown): u is number => typeof u === 'number';
export const isBoolean = (u: unknown): u is boolean => typeof u === 'boolean';
