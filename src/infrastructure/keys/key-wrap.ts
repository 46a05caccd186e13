import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DATA_KEY_BYTES, type DataKey } from '../../application/erasure/key-store.js';

/**
 * Data keys are stored wrapped, never in clear: AES-256-GCM under the key-wrapping key
 * (master-key.ts), which is not kept in the store. Wrapped form: version byte ‖ 12-byte IV ‖
 * encrypted key (32) ‖ tag (16). The key id and the user id are associated data, so a wrapped key
 * moved to another row (another user, another id) does not unwrap.
 */
const VERSION = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const WRAPPED_KEY_BYTES = 1 + IV_BYTES + DATA_KEY_BYTES + TAG_BYTES;

/** 16 random bytes, base64url: 22 characters of [A-Za-z0-9_-] (field-cipher.ts relies on that shape). */
const newKeyId = (): string => randomBytes(16).toString('base64url');

const associatedData = (keyId: string, userId: string): Buffer => Buffer.from(JSON.stringify(['chat-events data key v1', keyId, userId]), 'utf8');

/** A wrapped key that does not open: another DATA_KEY than the one that wrapped it, or an altered row. Never read as "erased". */
export class KeyUnwrapError extends Error {
  override readonly name = 'KeyUnwrapError';
}

export class KeyWrapper {
  constructor(private readonly wrappingKey: Buffer) {
    if (wrappingKey.length !== 32) throw new RangeError(`the key-wrapping key must be 32 bytes, not ${wrappingKey.length}`);
  }

  /** A fresh key for the user (random id, random bytes) and its wrapped form. */
  newKey(userId: string): { readonly key: DataKey; readonly wrapped: Buffer } {
    const key: DataKey = { keyId: newKeyId(), userId, key: randomBytes(DATA_KEY_BYTES) };
    return { key, wrapped: this.wrap(key) };
  }

  wrap(key: DataKey): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.wrappingKey, iv);
    cipher.setAAD(associatedData(key.keyId, key.userId));
    const sealed = Buffer.concat([cipher.update(key.key), cipher.final()]);
    return Buffer.concat([Buffer.of(VERSION), iv, sealed, cipher.getAuthTag()]);
  }

  unwrap(keyId: string, userId: string, wrapped: Uint8Array): DataKey {
    const bytes = Buffer.from(wrapped);
    if (bytes.length !== WRAPPED_KEY_BYTES || bytes[0] !== VERSION) throw new KeyUnwrapError(`data key ${keyId} is not a wrapped key of version ${VERSION}`);
    const iv = bytes.subarray(1, 1 + IV_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.wrappingKey, iv);
    decipher.setAAD(associatedData(keyId, userId));
    decipher.setAuthTag(tag);
    try {
      const key = Buffer.concat([decipher.update(bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
      return { keyId, userId, key };
    } catch {
      throw new KeyUnwrapError(`data key ${keyId} does not unwrap: DATA_KEY is not the one that wrapped it, or the key store was altered`);
    }
  }
}
