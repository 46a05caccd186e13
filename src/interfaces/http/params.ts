import { isLeft } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { PageRequest, ReadFilter } from '../../application/ports/read-model.js';

const intParam = (name: string, min: number, max: number) =>
  new t.Type<number, string, unknown>(
    name,
    (u): u is number => typeof u === 'number',
    (u, c) => {
      if (typeof u !== 'string' || !/^\d+$/.test(u)) return t.failure(u, c, `${name} must be a non-negative integer`);
      const n = Number(u);
      return n >= min && n <= max ? t.success(n) : t.failure(u, c, `${name} must be between ${min} and ${max}`);
    },
    String,
  );

const PageQuery = t.partial({ limit: intParam('limit', 1, 100), offset: intParam('offset', 0, 1_000_000_000) });

const IsReadQuery = t.partial({
  is_read: t.keyof({ all: null, unread: null, false: null, read: null, true: null }),
});

export type ParamResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly msg: string };

const firstMessage = (errors: t.Errors): string => {
  const e = errors[0];
  const key = e?.context.find((c) => c.key !== '')?.key;
  return e?.message ?? `invalid query parameter${key === undefined ? '' : ` ${key}`}`;
};

export const parsePage = (query: unknown): ParamResult<PageRequest> => {
  const decoded = PageQuery.decode(query);
  if (isLeft(decoded)) return { ok: false, msg: firstMessage(decoded.left) };
  return { ok: true, value: { limit: decoded.right.limit ?? 10, offset: decoded.right.offset ?? 0 } };
};

export const parseReadFilter = (query: unknown): ParamResult<ReadFilter> => {
  const decoded = IsReadQuery.decode(query);
  if (isLeft(decoded)) return { ok: false, msg: 'is_read must be one of all, unread, false, read, true' };
  const v = decoded.right.is_read ?? 'all';
  return { ok: true, value: v === 'unread' || v === 'false' ? 'unread' : v === 'read' || v === 'true' ? 'read' : 'all' };
};

export { isUsername } from '../../domain/user/identity.js';

/** ISO 8601 as clients write it: a date, optionally a time with seconds and fraction, optionally a zone. */
const ISO_TIME_RE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * An ISO 8601 time in UTC (`toISOString`), or undefined. `Date.parse` alone would take almost
 * anything (`-1` is the year 2001 to V8), so the shape is checked first.
 */
export const parseIsoTime = (raw: string): string | undefined => {
  if (!ISO_TIME_RE.test(raw)) return undefined;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
};
