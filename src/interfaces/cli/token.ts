import { isLeft } from 'fp-ts/lib/Either.js';
import { parseArgs } from 'node:util';
import { TokenClaims, Username } from '../../infrastructure/auth/claims.js';
import { claimErrors } from '../../infrastructure/auth/token-verifier.js';
import { ensureDevSecret, weakSecretReason } from '../../infrastructure/auth/dev-secret.js';
import { signDevToken } from '../../infrastructure/auth/token-signer.js';
import { loadConfig } from '../../infrastructure/config/config.js';

const USAGE = 'usage: npm run token -- <username> [--sub <id>] [--nickname <n>] [--avatar <url>] [--ttl <seconds>]';

class UsageError extends Error {}

const main = (argv: string[]): string => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      sub: { type: 'string' },
      nickname: { type: 'string' },
      avatar: { type: 'string' },
      ttl: { type: 'string', default: '86400' },
    },
  });
  const [username, ...extra] = positionals;
  if (username === undefined || extra.length > 0) throw new UsageError(USAGE);
  // Refuse to mint a token the server would reject anyway.
  if (isLeft(Username.decode(username))) throw new UsageError('username must be 1-50 of letters, digits, _ - .');
  if (values.sub === '') throw new UsageError('--sub must not be empty');
  const claims = { sub: values.sub ?? `user-${username}`, username, exp: 0, nickname: values.nickname ?? null, avatar: values.avatar ?? null };
  const invalid = TokenClaims.decode(claims);
  if (isLeft(invalid)) throw new UsageError(claimErrors(invalid.left).join('; '));
  const ttl = Number(values.ttl);
  if (!/^\d+$/.test(values.ttl) || ttl <= 0) throw new UsageError('--ttl must be a positive integer (seconds)');

  const config = loadConfig();
  const weak = config.jwtSecret === undefined ? undefined : weakSecretReason(config.jwtSecret);
  if (weak !== undefined) throw new UsageError(weak);
  const envSecret = config.jwtSecret;
  if (envSecret === undefined && config.jwtPublicKey?.trim()) {
    throw new UsageError('JWT_PUBLIC_KEY is set (RS256): mint tokens with the issuer private key, not this tool');
  }
  let secret = envSecret;
  if (secret === undefined) {
    const dev = ensureDevSecret(config.dataDir);
    if (dev.created) process.stderr.write(`created development secret in ${config.dataDir}\n`);
    secret = dev.secret;
  }
  return signDevToken({
    secret,
    userId: values.sub ?? `user-${username}`,
    username,
    nickname: values.nickname,
    avatar: values.avatar,
    expiresInSeconds: ttl,
  });
};

try {
  process.stdout.write(`${main(process.argv.slice(2))}\n`);
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
