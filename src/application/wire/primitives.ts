import * as t from 'io-ts';
import { normaliseContent, MAX_CONTENT_LENGTH } from '../../domain/chat/content.js';
import { USERNAME_PATTERN } from '../../domain/user/identity.js';
import { schemaOf, withSchema } from './codec-schema.js';
import type { JsonSchema } from './json-schema.js';

// Each pattern is both the codec's check and its published JSON Schema (AsyncAPI): one source.
const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
/** ISO 8601 date-time with minutes, optional seconds and fraction, and a zone (`Z` or an offset). */
const ISO_PATTERN =
  '^\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])T(?:[01]\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d(?:\\.\\d{1,9})?)?(?:Z|[+-](?:[01]\\d|2[0-3]):?[0-5]\\d)$';
/** 1–256 code points once trimmed: optional spaces, a non-space, at most 255 more ending in a non-space, spaces. */
const CONTENT_PATTERN = `^\\s*\\S(?:[\\s\\S]{0,${MAX_CONTENT_LENGTH - 2}}\\S)?\\s*$`;

const matches = (pattern: string) => {
  const re = new RegExp(pattern, 'u');
  return (s: string) => re.test(s);
};
const codePoints = (s: string): number => [...s].length;

const refined = (name: string, check: (s: string) => boolean, schema: JsonSchema) =>
  withSchema(
    new t.Type<string, string, unknown>(
      name,
      (u): u is string => typeof u === 'string' && check(u),
      (u, c) => (typeof u === 'string' && check(u) ? t.success(u) : t.failure(u, c, `expected ${name}`)),
      t.identity,
    ),
    { type: 'string', ...schema },
  );

export const Uuid = refined('uuid', matches(UUID_PATTERN), { pattern: UUID_PATTERN, description: 'a uuid' });
export const Username = refined('username', matches(USERNAME_PATTERN), { pattern: USERNAME_PATTERN, description: '1–50 letters, digits, `_`, `-`, `.`' });
/** 1–256 characters after trimming; longer content is BAD_DATA, not a business refusal. */
export const MessageContent = refined('message content of 1-256 characters', (s) => normaliseContent(s) !== undefined, {
  pattern: CONTENT_PATTERN,
  description: `1–${MAX_CONTENT_LENGTH} characters (code points) after trimming; stored trimmed`,
});
export const IsoTimestamp = refined('ISO 8601 timestamp', (s) => matches(ISO_PATTERN)(s) && !Number.isNaN(Date.parse(s)), {
  pattern: ISO_PATTERN,
  description: 'an ISO 8601 date-time with a zone, e.g. 2026-01-31T12:00:00.000Z',
});
export const UserId = refined('user id', (s) => codePoints(s) >= 1 && codePoints(s) <= 128, {
  minLength: 1,
  maxLength: 128,
  description: "a user id: the `sub` of that user's token",
});
export const ShortText = (max: number) =>
  refined(`text of 1-${max} characters`, (s) => s.trim().length >= 1 && codePoints(s) <= max, {
    maxLength: max,
    pattern: '\\S',
    description: `1–${max} characters, not only spaces`,
  });

/** A client frame’s `ref`: a string of 1–64 characters (code points), answered with an `ack` or an `error` carrying it. */
export const Ref = refined('ref of 1-64 characters', (s) => codePoints(s) >= 1 && codePoints(s) <= 64, {
  minLength: 1,
  maxLength: 64,
  description: 'chosen by the client (1–64 characters): the frame is answered exactly once, by an `ack` or an `error` carrying the same `ref`',
});

export const IntInRange = (min: number, max: number) =>
  withSchema(
    new t.Type<number, number, unknown>(
      `integer ${min}-${max}`,
      (u): u is number => Number.isInteger(u) && (u as number) >= min && (u as number) <= max,
      (u, c) => (Number.isInteger(u) && (u as number) >= min && (u as number) <= max ? t.success(u as number) : t.failure(u, c)),
      t.identity,
    ),
    { type: 'integer', minimum: min, maximum: max },
  );

/**
 * An object codec that also refuses unknown keys: io-ts `exact`/`strict` only strip them,
 * and PROTOCOL.md makes unknown game options BAD_DATA.
 */
export const closedPartial = <P extends t.Props>(props: P, name: string) => {
  const inner = t.partial(props);
  const known = new Set(Object.keys(props));
  return withSchema(
    new t.Type<t.TypeOf<typeof inner>, t.OutputOf<typeof inner>, unknown>(
      name,
      inner.is,
      (u, c) => {
        if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, `${name} must be an object`);
        const unknown = Object.keys(u).filter((k) => !known.has(k));
        if (unknown.length > 0) return t.failure(u, c, `unknown ${name} keys: ${unknown.join(', ')}`);
        return inner.validate(u, c);
      },
      inner.encode,
    ),
    { type: 'object', properties: Object.fromEntries(Object.entries(props).map(([k, c]) => [k, schemaOf(c)])), additionalProperties: false },
  );
};
