import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js';
import jwt from 'jsonwebtoken';
import { identityFromClaims, TokenClaims, type Identity } from './claims.js';
import { describeClaimErrors, describeVerifyError } from './token-problems.js';

export type AuthError = { code: 'missing_token' | 'invalid_token' | 'expired_token'; msg: string };

export type VerifierKeys = { secret?: string | undefined; publicKey?: string | undefined };

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
    if (isLeft(claims)) {
      return left({ code: 'invalid_token', msg: describeClaimErrors(claims.left) });
    }
    return right(identityFromClaims(claims.right));
  }
}
