import { isLeft } from 'fp-ts/lib/Either.js';
import { TokenClaims, Username } from '../../infrastructure/auth/claims.js';
import { MISSING_KEY_IN_PRODUCTION, ensureDevSecret, weakSecretReason } from '../../infrastructure/auth/dev-secret.js';
import { claimErrors } from '../../infrastructure/auth/token-verifier.js';
import { signDevToken } from '../../infrastructure/auth/token-signer.js';
import { loadConfig } from '../../infrastructure/config/config.js';
import { CliFailure, defineCli, integerOption, UsageError } from './cli-args.js';
import { runCli } from './run-cli.js';

const spec = defineCli({
  name: 'token',
  synopsis: ['npm run -s token -- USERNAME [--sub ID] [--nickname N] [--avatar URL] [--ttl SECONDS]'],
  description: 'Mints an HS256 token for USERNAME with JWT_SECRET (or the development secret in DATA_DIR) and prints it.',
  options: {
    sub: { type: 'string', value: 'ID', help: 'user id (sub claim); default user-USERNAME' },
    nickname: { type: 'string', value: 'N', help: 'nickname claim' },
    avatar: { type: 'string', value: 'URL', help: 'avatar claim' },
    ttl: { type: 'string', value: 'SECONDS', help: 'lifetime; default 86400' },
  },
  positionals: { min: 1, max: 1, names: 'USERNAME' },
});

runCli(spec, async ({ values, positionals }) => {
  const username = positionals[0] ?? '';
  // Refuse to mint a token the server would reject anyway.
  if (isLeft(Username.decode(username))) throw new UsageError('USERNAME must be 1-50 of letters, digits, _ - .');
  if (values.sub === '') throw new UsageError('--sub must not be empty');
  const claims = { sub: values.sub ?? `user-${username}`, username, exp: 0, nickname: values.nickname ?? null, avatar: values.avatar ?? null };
  const invalid = TokenClaims.decode(claims);
  if (isLeft(invalid)) throw new UsageError(claimErrors(invalid.left).join('; '));
  const ttl = integerOption('ttl', values.ttl, 86400, { min: 1 });

  const config = loadConfig();
  const weak = config.jwtSecret === undefined ? undefined : weakSecretReason(config.jwtSecret);
  if (weak !== undefined) throw new CliFailure(weak);
  const envSecret = config.jwtSecret;
  if (envSecret === undefined && config.jwtPublicKey?.trim()) {
    throw new CliFailure('JWT_PUBLIC_KEY is set (RS256): mint tokens with the issuer private key, not this tool');
  }
  let secret = envSecret;
  if (secret === undefined && config.production) throw new CliFailure(MISSING_KEY_IN_PRODUCTION);
  if (secret === undefined) {
    const dev = ensureDevSecret(config.dataDir);
    if (dev.created) process.stderr.write(`created development secret in ${config.dataDir}\n`);
    secret = dev.secret;
  }
  const token = signDevToken({
    secret,
    userId: values.sub ?? `user-${username}`,
    username,
    nickname: values.nickname,
    avatar: values.avatar,
    expiresInSeconds: ttl,
  });
  process.stdout.write(`${token}\n`);
});
