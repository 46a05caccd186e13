import * as t from 'io-ts';
import { normaliseContent } from '../../domain/chat/content.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const USERNAME_RE = /^[A-Za-z0-9_.-]{1,50}$/;

const refined = (name: string, check: (s: string) => boolean) =>
  new t.Type<string, string, unknown>(
    name,
    (u): u is string => typeof u === 'string' && check(u),
    (u, c) => (typeof u === 'string' && check(u) ? t.success(u) : t.failure(u, c, `expected ${name}`)),
    t.identity,
  );

export const Uuid = refined('uuid', (s) => UUID_RE.test(s));
export const Username = refined('username', (s) => USERNAME_RE.test(s));
/** 1–256 characters after trimming; longer content is BAD_DATA, not a business refusal. */
export const MessageContent = refined('message content of 1-256 characters', (s) => normaliseContent(s) !== undefined);
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;
export const IsoTimestamp = refined('ISO 8601 timestamp', (s) => ISO_RE.test(s) && !Number.isNaN(Date.parse(s)));
export const UserId = refined('user id', (s) => s.length >= 1 && s.length <= 128);
export const ShortText = (max: number) => refined(`text of 1-${max} characters`, (s) => s.trim().length >= 1 && s.length <= max);

export const IntInRange = (min: number, max: number) =>
  new t.Type<number, number, unknown>(
    `integer ${min}-${max}`,
    (u): u is number => Number.isInteger(u) && (u as number) >= min && (u as number) <= max,
    (u, c) => (Number.isInteger(u) && (u as number) >= min && (u as number) <= max ? t.success(u as number) : t.failure(u, c)),
    t.identity,
  );

/**
 * An object codec that also refuses unknown keys: io-ts `exact`/`strict` only strip them,
 * and PROTOCOL.md makes unknown game options BAD_DATA.
 */
export const closedPartial = <P extends t.Props>(props: P, name: string) => {
  const inner = t.partial(props);
  const known = new Set(Object.keys(props));
  return new t.Type<t.TypeOf<typeof inner>, t.OutputOf<typeof inner>, unknown>(
    name,
    inner.is,
    (u, c) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, `${name} must be an object`);
      const unknown = Object.keys(u).filter((k) => !known.has(k));
      if (unknown.length > 0) return t.failure(u, c, `unknown ${name} keys: ${unknown.join(', ')}`);
      return inner.validate(u, c);
    },
    inner.encode,
  );
};
