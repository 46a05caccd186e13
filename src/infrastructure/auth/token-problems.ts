import type * as t from 'io-ts';
import jwt from 'jsonwebtoken';
import { CLAIM_RULES } from './claims.js';

/** Why jsonwebtoken refused a token, in the words a client developer needs. */
export const describeVerifyError = (e: unknown, algorithm: string): string => {
  if (e instanceof jwt.NotBeforeError) return 'token is not valid yet (nbf)';
  if (!(e instanceof Error)) return 'token cannot be verified';
  switch (e.message) {
    case 'invalid signature':
      return 'token signature is invalid';
    case 'jwt malformed':
    case 'invalid token':
      return 'token is malformed: expected header.payload.signature in base64url';
    case 'jwt signature is required':
      return `token is not signed: ${algorithm} is required`;
    case 'invalid algorithm':
      return `token is signed with another algorithm than ${algorithm}`;
    case 'invalid exp value':
      return 'token expiry (exp) is not a number of seconds';
    case 'invalid nbf value':
      return 'token not-before (nbf) is not a number of seconds';
    case 'jwt must be provided':
      return 'no token';
    default:
      return /^(Unexpected token|.*JSON)/.test(e.message) ? 'token is malformed: its header or payload is not JSON' : `token is invalid: ${e.message}`;
  }
};

/** Missing claims in plain words; a present but wrong one is named by the rule it breaks (CLAIM_RULES). */
const CLAIM_NAMES: Readonly<Record<string, { readonly missing: string; readonly invalid: string }>> = {
  exp: { missing: 'token has no expiry (exp)', invalid: 'token expiry (exp) is not a number of seconds' },
  sub: { missing: 'token has no subject (sub)', invalid: `token ${CLAIM_RULES['sub'] ?? 'sub is invalid'}` },
  username: { missing: 'token has no username', invalid: `token ${CLAIM_RULES['username'] ?? 'username is invalid'}` },
  nickname: { missing: 'token nickname must be a string', invalid: `token ${CLAIM_RULES['nickname'] ?? 'nickname is invalid'}` },
  avatar: { missing: 'token avatar must be a string', invalid: `token ${CLAIM_RULES['avatar'] ?? 'avatar is invalid'}` },
};

/** The claims at fault, each in plain words (`token has no expiry (exp); token has no username`). */
export const describeClaimErrors = (errors: t.Errors): string => {
  const lines = new Set<string>();
  for (const err of errors) {
    const key = err.context.map((c) => c.key).filter((k) => k !== '' && !/^\d+$/.test(k))[0];
    const words = key === undefined ? undefined : CLAIM_NAMES[key];
    if (words === undefined) lines.add('token payload is not a JSON object of claims');
    else lines.add(err.value === undefined ? words.missing : words.invalid);
  }
  return [...lines].join('; ');
};
