import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type Config } from '../config/config.js';

export const DEV_SECRET_FILE = 'jwt-secret';

const readSecret = (path: string): string => {
  const secret = readFileSync(path, 'utf8').trim();
  // Never silently replace a corrupt secret: that would invalidate every issued token.
  if (secret.length === 0) throw new ConfigError(`${path} is empty; delete it to generate a new development secret`);
  return secret;
};

/** Development HS256 secret kept in `<dataDir>/jwt-secret` (0600) so tokens survive restarts. */
export const ensureDevSecret = (dataDir: string): { secret: string; created: boolean } => {
  const path = join(dataDir, DEV_SECRET_FILE);
  try {
    return { secret: readSecret(path), created: false };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  // Write a private temp file, then link it into place: link fails if another process won the race,
  // and readers never observe a half-written secret.
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, path);
    return { secret, created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return { secret: readSecret(path), created: false };
  } finally {
    unlinkSync(tmp);
  }
};

const present = (s: string | undefined): string | undefined => (s !== undefined && s.trim() !== '' ? s : undefined);

/** HS256 keys shorter than the hash (32 bytes) can be brute-forced from one token. */
export const MIN_SECRET_BYTES = 32;

/** Why `JWT_SECRET` cannot be used, in one line; undefined when it is long enough. */
export const weakSecretReason = (secret: string): string | undefined => {
  const bytes = Buffer.byteLength(secret, 'utf8');
  if (secret.trim() === '')
    return `JWT_SECRET is set but empty: set it to at least ${MIN_SECRET_BYTES} random bytes (e.g. \`openssl rand -base64 48\`), or unset it to use a development secret`;
  if (bytes < MIN_SECRET_BYTES)
    return `JWT_SECRET is ${bytes} byte${bytes === 1 ? '' : 's'} long: it must be at least ${MIN_SECRET_BYTES} bytes (e.g. \`openssl rand -base64 48\`)`;
  return undefined;
};

export type JwtKeys = { secret?: string; publicKey?: string; generated: boolean };

/** Why a production start without a key is refused: there is no development secret in production. */
export const MISSING_KEY_IN_PRODUCTION =
  'NODE_ENV=production needs JWT_SECRET (HS256, at least 32 bytes) or JWT_PUBLIC_KEY (RS256 PEM): there is no development secret in production';

/** Picks the verification key: JWT_SECRET, JWT_PUBLIC_KEY, or (neither, outside production) the generated dev secret. */
export const resolveJwtKeys = (config: Pick<Config, 'jwtSecret' | 'jwtPublicKey' | 'dataDir' | 'production'>): JwtKeys => {
  if (config.production && present(config.jwtSecret) === undefined && present(config.jwtPublicKey) === undefined)
    throw new ConfigError(MISSING_KEY_IN_PRODUCTION);
  // Set but empty or short is refused, never silently replaced by the development secret.
  const weak = config.jwtSecret === undefined ? undefined : weakSecretReason(config.jwtSecret);
  if (weak !== undefined) throw new ConfigError(weak);
  const secret = present(config.jwtSecret);
  // Env files often carry PEMs on one line with literal "\n".
  const publicKey = present(config.jwtPublicKey)?.replace(/\\n/g, '\n');
  if (secret !== undefined && publicKey !== undefined) {
    throw new ConfigError('Set only one of JWT_SECRET (HS256) or JWT_PUBLIC_KEY (RS256)');
  }
  if (secret !== undefined) return { secret, generated: false };
  if (publicKey !== undefined) return { publicKey, generated: false };
  return { secret: ensureDevSecret(config.dataDir).secret, generated: true };
};
