import { hkdfSync, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config/config.js';

export const DATA_KEY_FILE = 'data-key';
const MASTER_KEY_BYTES = 32;

/** The keys derived from the master secret: one job each, so neither can stand in for the other. */
export interface MasterKeys {
  /** Wraps the users' data keys in the key store (key-wrap.ts). */
  readonly wrappingKey: Buffer;
  /** Keys the username index's HMAC (username-index.ts). */
  readonly usernameIndexKey: Buffer;
  /** True when no DATA_KEY was set and the secret is the one kept under the data directory. */
  readonly generated: boolean;
}

// Labels (HKDF `info`) are fixed for ever: changing one changes the derived key and loses every wrapped key or index entry.
const WRAPPING_LABEL = 'chat-events/v1/data-key-wrapping';
const USERNAME_INDEX_LABEL = 'chat-events/v1/username-index';

const derive = (master: Buffer, label: string): Buffer => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), label, 32));

const EXAMPLE = '`openssl rand -base64 32`';

/** The secret's bytes, or what is wrong with the text, in words that never echo it. */
const decode = (text: string): Buffer | string => {
  const s = text.trim();
  if (s === '') return 'is empty';
  // Canonical base64 only (padding optional): Node's lenient decoder would take a typo for another key.
  const bytes = Buffer.from(s, 'base64');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || bytes.toString('base64').replace(/=+$/, '') !== s.replace(/=+$/, '')) return 'is not base64';
  if (bytes.length !== MASTER_KEY_BYTES) return `decodes to ${bytes.length} byte${bytes.length === 1 ? '' : 's'}, not ${MASTER_KEY_BYTES}`;
  return bytes;
};

const readKeyFile = (path: string): Buffer => {
  const bytes = decode(readFileSync(path, 'utf8'));
  // Never replace a corrupt key file: every wrapped key and index entry depends on it.
  if (typeof bytes === 'string')
    throw new ConfigError(`${path} ${bytes}; it must hold 32 bytes in base64 (restore it from a backup: without it no personal data can be read)`);
  return bytes;
};

/** The generated secret in `<dataDir>/data-key` (0600), created on first start and kept. */
const ensureKeyFile = (dataDir: string): Buffer => {
  const path = join(dataDir, DATA_KEY_FILE);
  try {
    return readKeyFile(path);
  } catch (e) {
    if (!(e instanceof Error && 'code' in e && e.code === 'ENOENT')) throw e;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(MASTER_KEY_BYTES);
  // A private temp file linked into place: link fails if another process won the race, and readers
  // never see a half-written key.
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, `${secret.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, path);
    return secret;
  } catch (e) {
    if (!(e instanceof Error && 'code' in e && e.code === 'EEXIST')) throw e;
    return readKeyFile(path);
  } finally {
    unlinkSync(tmp);
  }
};

/**
 * The master secret from `DATA_KEY` (32 bytes, base64) or, unset, from `<dataDir>/data-key`, and
 * the keys derived from it with HKDF-SHA-256. A DATA_KEY that is set but unusable is a
 * ConfigError, never a reason to fall back on the generated key.
 */
export const loadMasterKeys = (dataKeyEnv: string | undefined, dataDir: string): MasterKeys => {
  let master: Buffer;
  if (dataKeyEnv === undefined) master = ensureKeyFile(dataDir);
  else {
    const bytes = decode(dataKeyEnv);
    if (typeof bytes === 'string')
      throw new ConfigError(
        `DATA_KEY (value hidden) ${bytes}; set it to 32 random bytes in base64 (e.g. ${EXAMPLE}), or unset it to use a key generated under DATA_DIR`,
      );
    master = bytes;
  }
  return {
    wrappingKey: derive(master, WRAPPING_LABEL),
    usernameIndexKey: derive(master, USERNAME_INDEX_LABEL),
    generated: dataKeyEnv === undefined,
  };
};
