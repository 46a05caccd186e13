import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519KeyId, ed25519VerifierKey, type NoteSigner } from '../../application/ledger/checkpoint-note.js';
import { ConfigError } from '../config/config.js';

/** Where a generated key is kept under DATA_DIR when LEDGER_SIGNING_KEY is unset. */
export const GENERATED_KEY_FILE = 'ledger-signing-key.pem';

export interface LedgerSigningKey {
  readonly privateKey: KeyObject;
  /** Raw 32-byte Ed25519 public key. */
  readonly publicKey: Buffer;
  /** The file it was read from or written to. */
  readonly path: string;
  /** True when this call generated it. */
  readonly created: boolean;
}

const errorCode = (e: unknown): unknown => (e instanceof Error && 'code' in e ? e.code : undefined);

const rawPublicKey = (privateKey: KeyObject): Buffer => {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const raw = Buffer.from(jwk.x ?? '', 'base64url');
  if (raw.length !== 32) throw new Error('Ed25519 public key: unexpected JWK export');
  return raw;
};

const readKey = (path: string): LedgerSigningKey => {
  const pem = readFileSync(path, 'utf8');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch (e) {
    // Never replace an unreadable key: every verifier key handed out so far names this one.
    throw new ConfigError(`${path}: not a PEM private key (${e instanceof Error ? e.message : String(e)})`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new ConfigError(`${path}: an ${String(privateKey.asymmetricKeyType)} key, not Ed25519`);
  return { privateKey, publicKey: rawPublicKey(privateKey), path, created: false };
};

/** A new key as PKCS#8 PEM, linked into place atomically (0600): a racing process keeps the one that won. */
const generateKey = (path: string, dataDir: string): LedgerSigningKey => {
  mkdirSync(dataDir, { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, pem, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, path);
    return { privateKey, publicKey: rawPublicKey(privateKey), path, created: true };
  } catch (e) {
    if (errorCode(e) !== 'EEXIST') throw e;
    return readKey(path);
  } finally {
    unlinkSync(tmp);
  }
};

/**
 * The checkpoint signing key: the PKCS#8 PEM Ed25519 key at `keyFile` (LEDGER_SIGNING_KEY) when
 * given, else `<dataDir>/ledger-signing-key.pem`, generated on first use and kept (unless
 * `generate` is false: the tools read the service's key, they never make one).
 */
export const loadLedgerSigningKey = (options: {
  readonly keyFile?: string | undefined;
  readonly dataDir: string;
  readonly generate?: boolean;
}): LedgerSigningKey => {
  if (options.keyFile !== undefined && options.keyFile.trim() !== '') return readKey(options.keyFile);
  const path = join(options.dataDir, GENERATED_KEY_FILE);
  try {
    return readKey(path);
  } catch (e) {
    if (errorCode(e) !== 'ENOENT') throw e;
    if (options.generate === false)
      throw new ConfigError(`${path}: no ledger signing key (the service makes one at its first start; or set LEDGER_SIGNING_KEY)`);
  }
  return generateKey(path, options.dataDir);
};

/** Signs notes under `name` (the checkpoint origin, as C2SP recommends). */
export const ledgerNoteSigner = (name: string, key: LedgerSigningKey): NoteSigner => ({
  name,
  keyId: ed25519KeyId(name, key.publicKey),
  sign: (message) => sign(null, message, key.privateKey),
});

/** The verifier key string auditors are given (`GET /api/ledger/key`). */
export const ledgerVerifierKey = (name: string, key: LedgerSigningKey): string => ed25519VerifierKey(name, key.publicKey);
