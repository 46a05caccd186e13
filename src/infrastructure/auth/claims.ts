import * as t from 'io-ts';
import { isUsername, type UserIdentity } from '../../domain/user/identity.js';

/** A string codec narrowed by a predicate (kept as plain `string` so callers need no brands); lone surrogates never pass, as no store could keep them. */
const stringMatching = (name: string, ok: (s: string) => boolean): t.Type<string, string, unknown> => {
  const valid = (u: unknown): u is string => typeof u === 'string' && u.isWellFormed() && ok(u);
  return new t.Type<string, string, unknown>(name, valid, (u, c) => (valid(u) ? t.success(u) : t.failure(u, c)), t.identity);
};

export const MAX_SUB_LENGTH = 128;
export const MAX_NICKNAME_LENGTH = 50;
export const MAX_AVATAR_LENGTH = 2048;

/** Characters as users count them: code points, not UTF-16 units. */
const characters = (s: string): number => {
  let n = 0;
  for (const _ of s) n += 1;
  return n;
};

const isHttpUrl = (s: string): boolean => {
  if (s.length > MAX_AVATAR_LENGTH) return false;
  try {
    const url = new URL(s);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
};

export const Subject = stringMatching('Subject', (s) => s.length > 0 && characters(s) <= MAX_SUB_LENGTH);
export const Username = stringMatching('Username', isUsername);
const Nickname = stringMatching('Nickname', (s) => characters(s) <= MAX_NICKNAME_LENGTH);
const Avatar = stringMatching('Avatar', (s) => s === '' || isHttpUrl(s));
const Exp = new t.Type<number, number, unknown>(
  'Exp',
  (u): u is number => typeof u === 'number' && Number.isFinite(u),
  (u, c) => (typeof u === 'number' && Number.isFinite(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
);

/** Claims we rely on; `exp` is required so no token lives forever. Extra claims (iat, iss, ...) are ignored. */
export const TokenClaims = t.intersection([
  t.type({ sub: Subject, username: Username, exp: Exp }),
  // Some issuers emit null for unset profile fields: treat it as absent.
  t.partial({ nickname: t.union([Nickname, t.null]), avatar: t.union([Avatar, t.null]) }),
]);
export type TokenClaims = t.TypeOf<typeof TokenClaims>;

/** What each claim must be, in plain words, for the 401 answer (the offending value is never echoed). */
export const CLAIM_RULES: Readonly<Record<string, string>> = {
  sub: `sub must be 1 to ${MAX_SUB_LENGTH} valid characters`,
  username: 'username must be 1 to 50 letters, digits, "_", "-" or "."',
  exp: 'exp (the expiry time) is required',
  nickname: `nickname must be at most ${MAX_NICKNAME_LENGTH} valid characters`,
  avatar: `avatar must be empty or an http or https URL of at most ${MAX_AVATAR_LENGTH.toLocaleString('en-US')} characters`,
};

/** A verified token's user, and when the token expires (epoch ms). */
export type Identity = UserIdentity & { readonly expiresAt: number };

export const identityFromClaims = (c: TokenClaims): Identity => ({
  userId: c.sub,
  username: c.username,
  nickname: c.nickname ?? c.username,
  avatar: c.avatar ?? '',
  expiresAt: c.exp * 1000,
});
