import * as t from 'io-ts';

/** A string codec narrowed by a predicate (kept as plain `string` so callers need no brands). */
const stringMatching = (name: string, ok: (s: string) => boolean): t.Type<string, string, unknown> =>
  new t.Type<string, string, unknown>(
    name,
    (u): u is string => typeof u === 'string' && ok(u),
    (u, c) => (typeof u === 'string' && ok(u) ? t.success(u) : t.failure(u, c)),
    t.identity,
  );

const USERNAME = /^[A-Za-z0-9_.-]{1,50}$/;

export const Subject = stringMatching('Subject', (s) => s.length > 0);
export const Username = stringMatching('Username', (s) => USERNAME.test(s));
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
  t.partial({ nickname: t.union([t.string, t.null]), avatar: t.union([t.string, t.null]) }),
]);
export type TokenClaims = t.TypeOf<typeof TokenClaims>;

export type Identity = {
  userId: string;
  username: string;
  nickname: string;
  avatar: string;
  expiresAt: number /* epoch ms */;
};

export const identityFromClaims = (c: TokenClaims): Identity => ({
  userId: c.sub,
  username: c.username,
  nickname: c.nickname ?? c.username,
  avatar: c.avatar ?? '',
  expiresAt: c.exp * 1000,
});
