import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isLeft, isRight, type Either } from 'fp-ts/lib/Either.js';
import jwt from 'jsonwebtoken';
import type { Identity } from '../../src/infrastructure/auth/claims.js';
import { DEV_SECRET_FILE, ensureDevSecret, resolveJwtKeys } from '../../src/infrastructure/auth/dev-secret.js';
import { tokenFromRequest } from '../../src/infrastructure/auth/token-from-request.js';
import { signDevToken } from '../../src/infrastructure/auth/token-signer.js';
import { TokenVerifier, type AuthError } from '../../src/infrastructure/auth/token-verifier.js';

const SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';
const { publicKey, privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const hs = new TokenVerifier({ secret: SECRET });
const rs = new TokenVerifier({ publicKey });
const inOneHour = (): number => Math.floor(Date.now() / 1000) + 3600;

const ok = (r: Either<AuthError, Identity>): Identity => {
  if (isLeft(r)) throw new Error(`expected a valid token, got ${r.left.code}: ${r.left.msg}`);
  return r.right;
};
const refused = (r: Either<AuthError, Identity>): AuthError => {
  if (isRight(r)) throw new Error('expected the token to be refused');
  return r.left;
};

const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'auth-test-'));

describe('TokenVerifier', () => {
  it('accepts an HS256 token and maps claims to an identity', () => {
    const token = signDevToken({ secret: SECRET, userId: 'u1', username: 'alice', nickname: 'Al', avatar: 'https://img.example/a.png', expiresInSeconds: 60 });
    const id = ok(hs.verify(token));
    expect(id).to.include({ userId: 'u1', username: 'alice', nickname: 'Al', avatar: 'https://img.example/a.png' });
    expect(id.expiresAt).to.be.closeTo(Date.now() + 60_000, 2000);
  });

  it('accepts an RS256 token', () => {
    const token = jwt.sign({ username: 'bob', exp: inOneHour() }, privateKey, { algorithm: 'RS256', subject: 'u2' });
    expect(ok(rs.verify(token))).to.include({ userId: 'u2', username: 'bob', nickname: 'bob', avatar: '' });
  });

  it('refuses alg none', () => {
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'u1', username: 'alice', exp: inOneHour() })}.`;
    expect(refused(hs.verify(token)).code).to.equal('invalid_token');
    expect(refused(rs.verify(token)).code).to.equal('invalid_token');
  });

  it('refuses an RS256 token on an HS256 verifier', () => {
    const token = jwt.sign({ username: 'bob', exp: inOneHour() }, privateKey, { algorithm: 'RS256', subject: 'u2' });
    expect(refused(hs.verify(token)).code).to.equal('invalid_token');
  });

  it('refuses an HS256 token on an RS256 verifier, including one signed with the public key PEM', () => {
    const plain = signDevToken({ secret: SECRET, userId: 'u1', username: 'alice', expiresInSeconds: 60 });
    expect(refused(rs.verify(plain)).code).to.equal('invalid_token');
    // Algorithm confusion: the attacker knows the public key and uses its PEM as the HMAC secret.
    const confused = new TokenVerifier({ secret: publicKey });
    const forged = signDevToken({ secret: publicKey, userId: 'u1', username: 'mallory', expiresInSeconds: 60 });
    expect(isRight(confused.verify(forged))).to.equal(true, 'sanity: forged token is a valid HS256 token for that secret');
    expect(refused(rs.verify(forged)).code).to.equal('invalid_token');
  });

  it('refuses a token without exp', () => {
    const token = jwt.sign({ username: 'alice' }, SECRET, { algorithm: 'HS256', subject: 'u1' });
    expect(refused(hs.verify(token)).code).to.equal('invalid_token');
  });

  it('refuses an expired token with expired_token', () => {
    const token = jwt.sign({ username: 'alice', exp: Math.floor(Date.now() / 1000) - 10 }, SECRET, { algorithm: 'HS256', subject: 'u1' });
    expect(refused(hs.verify(token)).code).to.equal('expired_token');
  });

  it('refuses a bad signature, bad username, empty sub and an empty token', () => {
    const other = signDevToken({ secret: 'another-secret', userId: 'u1', username: 'alice', expiresInSeconds: 60 });
    expect(refused(hs.verify(other)).code).to.equal('invalid_token');
    for (const username of ['', 'has space', 'a'.repeat(51), 'émile', 'x/y']) {
      const token = signDevToken({ secret: SECRET, userId: 'u1', username, expiresInSeconds: 60 });
      expect(refused(hs.verify(token)).code, username).to.equal('invalid_token');
    }
    expect(isRight(hs.verify(signDevToken({ secret: SECRET, userId: 'u1', username: 'A.b-c_9'.padEnd(50, 'z'), expiresInSeconds: 60 })))).to.equal(true);
    const noSub = jwt.sign({ username: 'alice', sub: '', exp: inOneHour() }, SECRET, { algorithm: 'HS256' });
    expect(refused(hs.verify(noSub)).code).to.equal('invalid_token');
    expect(refused(hs.verify('')).code).to.equal('missing_token');
    expect(refused(hs.verify('not.a.jwt')).code).to.equal('invalid_token');
  });

  it('defaults nickname to username and avatar to empty', () => {
    const id = ok(hs.verify(signDevToken({ secret: SECRET, userId: 'u1', username: 'alice', expiresInSeconds: 60 })));
    expect(id).to.include({ nickname: 'alice', avatar: '' });
  });

  it('requires exactly one key', () => {
    expect(() => new TokenVerifier({})).to.throw();
    expect(() => new TokenVerifier({ secret: SECRET, publicKey })).to.throw();
    expect(() => new TokenVerifier({ publicKey: 'not a pem' })).to.throw();
  });
});

describe('tokenFromRequest', () => {
  const req = (headers: Record<string, string>, url = '/ws'): IncomingMessage => ({ headers, url }) as unknown as IncomingMessage;
  const all = { authorization: 'Bearer from-header', cookie: 'x=1; access_token=from-cookie' };

  it('prefers the Authorization header, then the cookie, then the query (WebSocket only)', () => {
    expect(tokenFromRequest(req(all, '/ws?token=from-query'), { allowQuery: true })).to.equal('from-header');
    expect(tokenFromRequest(req({ cookie: all.cookie }, '/ws?token=from-query'), { allowQuery: true })).to.equal('from-cookie');
    expect(tokenFromRequest(req({}, '/ws?token=from-query'), { allowQuery: true })).to.equal('from-query');
  });

  it('ignores the query when not allowed', () => {
    expect(tokenFromRequest(req({}, '/api/me?token=from-query'), { allowQuery: false })).to.equal(undefined);
    expect(tokenFromRequest(req({ cookie: all.cookie }, '/api/me?token=q'), { allowQuery: false })).to.equal('from-cookie');
  });

  it('skips non-Bearer or empty credentials', () => {
    expect(tokenFromRequest(req({ authorization: 'Basic abc', cookie: 'access_token=c' }), { allowQuery: false })).to.equal('c');
    expect(tokenFromRequest(req({ authorization: 'bearer  tok ' }), { allowQuery: false })).to.equal('tok');
    expect(tokenFromRequest(req({ authorization: 'Bearer ', cookie: 'access_token=' }, '/ws?token='), { allowQuery: true })).to.equal(undefined);
  });
});

describe('development secret', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is created once with mode 0600 and reused', () => {
    const dataDir = join(dir, 'nested', 'data');
    const first = ensureDevSecret(dataDir);
    expect(first.created).to.equal(true);
    expect(Buffer.from(first.secret, 'base64url')).to.have.length(48);
    expect(statSync(join(dataDir, DEV_SECRET_FILE)).mode & 0o777).to.equal(0o600);
    const second = ensureDevSecret(dataDir);
    expect(second).to.deep.equal({ secret: first.secret, created: false });
  });

  it('resolveJwtKeys prefers configured keys and falls back to the dev secret', () => {
    expect(resolveJwtKeys({ jwtSecret: SECRET, jwtPublicKey: undefined, dataDir: dir, production: false })).to.deep.equal({ secret: SECRET, generated: false });
    expect(resolveJwtKeys({ jwtSecret: undefined, jwtPublicKey: publicKey, dataDir: dir, production: false })).to.deep.equal({ publicKey, generated: false });
    expect(() => resolveJwtKeys({ jwtSecret: SECRET, jwtPublicKey: publicKey, dataDir: dir, production: false })).to.throw(/only one/);
    const dev = resolveJwtKeys({ jwtSecret: undefined, jwtPublicKey: undefined, dataDir: dir, production: false });
    expect(dev.generated).to.equal(true);
    expect(dev.secret).to.equal(readFileSync(join(dir, DEV_SECRET_FILE), 'utf8').trim());
  });

  it('resolveJwtKeys refuses a JWT_SECRET shorter than 32 bytes, or set but empty, whatever else is set', () => {
    for (const jwtSecret of ['s', 'x'.repeat(31), 'é'.repeat(15) + 'x']) {
      expect(() => resolveJwtKeys({ jwtSecret, jwtPublicKey: undefined, dataDir: dir, production: false }), jwtSecret).to.throw(/at least 32 bytes/);
    }
    expect(resolveJwtKeys({ jwtSecret: 'x'.repeat(32), jwtPublicKey: undefined, dataDir: dir, production: false }).secret).to.equal('x'.repeat(32));
    // 16 two-byte characters are 32 bytes.
    expect(resolveJwtKeys({ jwtSecret: 'é'.repeat(16), jwtPublicKey: undefined, dataDir: dir, production: false }).secret).to.equal('é'.repeat(16));
    for (const jwtSecret of ['', '   ']) {
      expect(() => resolveJwtKeys({ jwtSecret, jwtPublicKey: undefined, dataDir: dir, production: false })).to.throw(/empty/);
      expect(() => resolveJwtKeys({ jwtSecret, jwtPublicKey: publicKey, dataDir: dir, production: false })).to.throw(/empty/);
    }
    expect(() => new TokenVerifier({ secret: 'short' })).to.throw(/32 bytes/);
  });
});

describe('TokenVerifier: bounded claims', () => {
  const sign = (claims: Record<string, unknown>): string =>
    jwt.sign({ sub: 'u1', username: 'alice', exp: inOneHour(), ...claims }, SECRET, { algorithm: 'HS256' });
  const refusedWith = (claims: Record<string, unknown>, rule: RegExp): void => {
    const error = refused(hs.verify(sign(claims)));
    expect(error.code).to.equal('invalid_token');
    expect(error.msg, JSON.stringify(Object.keys(claims))).to.match(rule);
    expect(error.msg.length, 'the message names the rule, not the value').to.be.below(200);
  };

  it('sub: 1 to 128 characters', () => {
    refusedWith({ sub: 'x'.repeat(4096) }, /sub must be 1 to 128 valid characters/);
    refusedWith({ sub: 'x'.repeat(129) }, /sub must be 1 to 128 valid characters/);
    refusedWith({ sub: '' }, /sub/);
    expect(ok(hs.verify(sign({ sub: 'x'.repeat(128) }))).userId).to.have.length(128);
    expect(ok(hs.verify(sign({ sub: '🎾'.repeat(128) }))).userId, 'characters, not UTF-16 units').to.equal('🎾'.repeat(128));
  });

  it('nickname: at most 50 characters', () => {
    refusedWith({ nickname: 'n'.repeat(10 * 1024) }, /nickname must be at most 50 valid characters/);
    refusedWith({ nickname: 'n'.repeat(51) }, /nickname/);
    expect(ok(hs.verify(sign({ nickname: 'ñ'.repeat(50) }))).nickname).to.equal('ñ'.repeat(50));
    expect(ok(hs.verify(sign({ nickname: null }))).nickname, 'null is absent').to.equal('alice');
  });

  it('avatar: empty or an http/https URL of at most 2,048 characters', () => {
    for (const avatar of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:image/png;base64,AAAA',
      'ftp://host/a.png',
      'a.png',
      '//host/a.png',
      `https://h.example/${'a'.repeat(2031)}`,
    ]) {
      refusedWith({ avatar }, /avatar must be empty or an http or https URL of at most 2,048 characters/);
    }
    for (const avatar of [
      '',
      'https://img.example/a.png',
      'http://localhost:8080/a.png',
      `https://h.example/${'a'.repeat(2048 - 'https://h.example/'.length)}`,
    ]) {
      expect(ok(hs.verify(sign({ avatar }))).avatar).to.equal(avatar);
    }
    expect(ok(hs.verify(sign({ avatar: null }))).avatar).to.equal('');
  });

  it('names every claim that is wrong, in plain words', () => {
    refusedWith({ sub: 'x'.repeat(200), nickname: 'n'.repeat(60), avatar: 'javascript:x' }, /sub must.*; token nickname must.*; token avatar must/);
  });
});

describe('token CLI', () => {
  const cli = fileURLToPath(new URL('../../src/interfaces/cli/token.js', import.meta.url));
  const run = promisify(execFile);
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const env = (): NodeJS.ProcessEnv => {
    const { JWT_SECRET: _s, JWT_PUBLIC_KEY: _p, ...rest } = process.env;
    return { ...rest, DATA_DIR: join(dir, 'data') };
  };

  it('prints only a token that verifies with the dev secret', async () => {
    const { stdout } = await run(process.execPath, [cli, 'alice', '--nickname', 'Alice', '--ttl', '120'], { env: env() });
    const token = stdout.trim();
    expect(stdout).to.equal(`${token}\n`);
    const { secret } = ensureDevSecret(join(dir, 'data'));
    const id = ok(new TokenVerifier({ secret }).verify(token));
    expect(id).to.include({ userId: 'user-alice', username: 'alice', nickname: 'Alice', avatar: '' });
    expect(id.expiresAt).to.be.closeTo(Date.now() + 120_000, 5000);
  });

  it('uses JWT_SECRET when set and refuses a bad username as wrong usage (exit 2)', async () => {
    const { stdout } = await run(process.execPath, [cli, 'bob', '--sub', 'b-42'], { env: { ...env(), JWT_SECRET: SECRET } });
    expect(ok(hs.verify(stdout.trim()))).to.include({ userId: 'b-42', username: 'bob' });
    const failure = await run(process.execPath, [cli, 'bad name'], { env: env() }).then(
      () => undefined,
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(failure?.code).to.equal(2);
    expect(failure?.stdout).to.equal('');
    expect(failure?.stderr.split('\n')[0]).to.equal('token: USERNAME must be 1-50 of letters, digits, _ - .');
    const badAvatar = await run(process.execPath, [cli, 'bob', '--avatar', 'javascript:alert(1)'], { env: env() }).then(
      () => undefined,
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(badAvatar?.code, 'a bad claim is a usage error').to.equal(2);
    expect(badAvatar?.stderr).to.match(/avatar must be empty or an http or https URL/);
    const weak = await run(process.execPath, [cli, 'bob'], { env: { ...env(), JWT_SECRET: 'short' } }).then(
      () => undefined,
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(weak?.code).to.equal(1);
    expect(weak?.stderr).to.match(/at least 32 bytes/);
  });
});
