import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataKey } from './key-store.js';

/**
 * One personal-data field (a string) sealed with its user's data key, stored as one string:
 *
 *     "\t" "pd1" "." <key id: 22 chars> "." <base64url, unpadded, of iv (12) ‖ ciphertext ‖ tag (16)>
 *
 * AES-256-GCM, a fresh random 96-bit IV per value; the associated data binds the format, the key
 * id, the event id and the field's path (`data.content`), so a sealed value copied into another
 * event or field does not open. Key ids are 16 random bytes in base64url (key-wrap.ts), so
 * neither part holds a "." and the grammar below parses one way only; base64url must also be
 * canonical (one string per byte sequence).
 *
 * Readers know which fields are sealed and never guess from the value; still, no legitimate
 * plaintext of the sealed fields can take this form, so a stray plaintext is never read as a
 * ciphertext (nor a ciphertext shown as text):
 * - `content` is stored trimmed (domain/chat/content.ts), so it never begins with a tab;
 * - `username` is 1–50 of [A-Za-z0-9_.-]: no tab;
 * - `nickname` is at most 50 code points, and a sealed value is at least 66 ASCII characters;
 * - `avatar` is empty or an absolute http(s) URL, and the URL parser, which drops a leading tab,
 *   finds no ":" (hence no scheme) in the rest.
 * A field added to erasure later must be checked against the same rule. In JSON the tab shows as
 * `\t`, so sealed values are easy to tell in exports.
 */
const PREFIX = '\tpd1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SEALED = /^\tpd1\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]+)$/;
const KEY_ID_CHARS = 22;
const DOT = 0x2e;
const LONE_SURROGATE = /\p{Cs}/u;

/** Where a value sits: the event it belongs to and the field's path in it (`data.content`). */
export interface FieldPlace {
  readonly eventId: string;
  readonly path: string;
}

/** A sealed value opened, or erased: its key was destroyed (or never existed here). */
export type Opened = { readonly _tag: 'Opened'; readonly value: string } | { readonly _tag: 'Erased'; readonly keyId: string };

/** Not a sealed value, or one that fails authentication (altered, moved, or sealed with another key): a fault, never "erased". */
export class SealedFieldError extends Error {
  override readonly name = 'SealedFieldError';
}

interface Parsed {
  readonly keyId: string;
  readonly payload: Buffer;
}

const parse = (value: string): Parsed | undefined => {
  const m = SEALED.exec(value);
  const keyId = m?.[1];
  const encoded = m?.[2];
  if (keyId === undefined || encoded === undefined) return undefined;
  const payload = Buffer.from(encoded, 'base64url');
  if (payload.length < IV_BYTES + TAG_BYTES || payload.toString('base64url') !== encoded) return undefined;
  return { keyId, payload };
};

const associatedData = (keyId: string, place: FieldPlace): Buffer => Buffer.from(JSON.stringify(['pd1', keyId, place.eventId, place.path]), 'utf8');

/**
 * IVs drawn from a pool of random bytes, each slice used once: one `randomBytes` call per 256
 * values instead of one per value (the call, not the bytes, is what costs). Random 96-bit IVs
 * under one key stay far below GCM's bound (2^32 values) for any user's data.
 */
const IV_POOL = 256;
let ivPool = Buffer.alloc(0);
let ivNext = 0;
const freshIv = (): Buffer => {
  if (ivNext + IV_BYTES > ivPool.length) {
    ivPool = randomBytes(IV_BYTES * IV_POOL);
    ivNext = 0;
  }
  const iv = ivPool.subarray(ivNext, ivNext + IV_BYTES);
  ivNext += IV_BYTES;
  return iv;
};

/** True when the value has the sealed form (it may still fail to open). */
export const isSealed = (value: string): boolean => parse(value) !== undefined;

/** The key id a sealed value needs; undefined when the value is not sealed. */
export const sealedKeyId = (value: string): string | undefined => parse(value)?.keyId;

/**
 * The key id a value names if it has the sealed form's head, without checking the rest: what to
 * load before opening, which then checks it all (a hot path: every personal field read).
 */
export const namedKeyId = (value: string): string | undefined =>
  value.startsWith(PREFIX) && value.charCodeAt(PREFIX.length + KEY_ID_CHARS) === DOT ? value.slice(PREFIX.length, PREFIX.length + KEY_ID_CHARS) : undefined;

export const sealField = (key: DataKey, plaintext: string, place: FieldPlace): string => {
  // UTF-8 would turn a lone surrogate into U+FFFD: what opens must be exactly what was sealed.
  if (LONE_SURROGATE.test(plaintext)) throw new RangeError(`${place.path} of event ${place.eventId} holds a lone surrogate: refuse it where it enters`);
  const iv = freshIv();
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(associatedData(key.keyId, place));
  const ciphertext = cipher.update(plaintext, 'utf8');
  const last = cipher.final();
  return `${PREFIX}${key.keyId}.${Buffer.concat([iv, ciphertext, last, cipher.getAuthTag()]).toString('base64url')}`;
};

/**
 * Opens a sealed value with its key, looked up by the value's key id; a key the lookup does not
 * have is the "erased" outcome. Throws SealedFieldError for a value that is not sealed or fails
 * authentication.
 */
export const openField = (keyOf: (keyId: string) => DataKey | undefined, sealed: string, place: FieldPlace): Opened => {
  const parsed = parse(sealed);
  if (parsed === undefined) throw new SealedFieldError(`${place.path} of event ${place.eventId} is not a sealed value`);
  const key = keyOf(parsed.keyId);
  if (key === undefined) return { _tag: 'Erased', keyId: parsed.keyId };
  const { payload } = parsed;
  const decipher = createDecipheriv('aes-256-gcm', key.key, payload.subarray(0, IV_BYTES));
  decipher.setAAD(associatedData(parsed.keyId, place));
  decipher.setAuthTag(payload.subarray(payload.length - TAG_BYTES));
  try {
    const plain = Buffer.concat([decipher.update(payload.subarray(IV_BYTES, payload.length - TAG_BYTES)), decipher.final()]);
    return { _tag: 'Opened', value: plain.toString('utf8') };
  } catch {
    throw new SealedFieldError(
      `${place.path} of event ${place.eventId} does not authenticate under key ${parsed.keyId}: altered, moved from another event or field, or not sealed by us`,
    );
  }
};
