import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import jwt from 'jsonwebtoken';
import { CLAIM_RULES, identityFromClaims, TokenClaims, type Identity } from './claims.js';
import { describeClaimErrors, describeVerifyError } from './token-problems.js';

export type AuthError = { code: 'missing_token' | 'invalid_token' | 'expired_token'; msg: string };

export type VerifierKeys = { secret?: string | undefined; publicKey?: string | undefined };

/** The rule each wrong claim breaks, in plain words, once per claim. */
export const claimErrors = (errors: t.Errors): readonly string[] => {
  // The first named key of each error's path is the claim (intersection/union steps are numbered).
  const fields = [...new Set(errors.map((err) => err.context.map((c) => c.key).find((k) => CLAIM_RULES[k] !== undefined) ?? 'payload'))];
  return fields.map((f) => CLAIM_RULES[f] ?? 'the token payload must be an object of claims');
};

export class TokenVerifier {
  private readonly key: KeyObject;
  // Pinned per instance: the token's own `alg` header never chooses (blocks `none` and HS/RS confusion).
  private readonly algorithms: jwt.Algorithm[];

  constructor(keys: VerifierKeys) {
    const { secret, publicKey } = keys;
    if ((secret === undefined) === (publicKey === undefined)) {
      throw new Error('TokenVerifier needs exactly one of secret (HS256) or publicKey (RS256)');
    }
    if (publicKey === undefined) {
      if (!secret) throw new Error('TokenVerifier: empty secret');
      if (Buffer.byteLength(secret, 'utf8') < 32) throw new Error('TokenVerifier: an HS256 secret must be at least 32 bytes');
      this.key = createSecretKey(Buffer.from(secret, 'utf8'));
      this.algorithms = ['HS256'];
    } else {
      // Parsing now makes a bad PEM fail at start-up, and a typed key cannot be reused as an HMAC secret.
      this.key = createPublicKey(publicKey);
      if (this.key.asymmetricKeyType !== 'rsa') throw new Error('TokenVerifier: publicKey must be an RSA key');
      this.algorithms = ['RS256'];
    }
  }

  get algorithm(): jwt.Algorithm {
    return this.algorithms[0] as jwt.Algorithm;
  }

  verify(token: string): Either<AuthError, Identity> {
    if (token.length === 0) return left({ code: 'missing_token', msg: 'no token' });
    let payload: string | jwt.JwtPayload;
    try {
      payload = jwt.verify(token, this.key, { algorithms: this.algorithms });
    } catch (e) {
      if (e instanceof jwt.TokenExpiredError) return left({ code: 'expired_token', msg: 'token expired' });
      return left({ code: 'invalid_token', msg: describeVerifyError(e, this.algorithm) });
    }
    const claims = TokenClaims.decode(payload);
    if (isLeft(claims)) return left({ code: 'invalid_token', msg: describeClaimErrors(claims.left) });
    return right(identityFromClaims(claims.right));
  }
}
