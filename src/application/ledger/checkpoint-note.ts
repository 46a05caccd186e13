import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import { HASH_SIZE } from './merkle.js';

/**
 * C2SP tlog-checkpoint bodies inside C2SP signed-notes, signed with Ed25519 (signature type 0x01).
 * Parsing and verifying answer values: everything here reads text an operator or a network handed over.
 */

export type NoteResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const ok = <T>(value: T): NoteResult<T> => ({ ok: true, value });
const fail = <T>(reason: string): NoteResult<T> => ({ ok: false, reason });

/** A tree head: origin line, tree size, root hash. */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Buffer;
}

export interface NoteSignature {
  readonly name: string;
  /** uint32, big-endian first 4 bytes of the signature line's blob. */
  readonly keyId: number;
  /** The blob after the key id. */
  readonly signature: Buffer;
}

export interface Note {
  /** The signed text, final newline included. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** Makes signature lines; the key itself stays behind `sign` (see infrastructure/ledger/signing-key.ts). */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  sign(message: Buffer): Buffer;
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  /** Raw 32-byte Ed25519 public key. */
  readonly publicKey: Buffer;
}

const ED25519 = 0x01;
const ED25519_PUBLIC_KEY_SIZE = 32;
const ED25519_SIGNATURE_SIZE = 64;
/** Go's sumdb/note limit; C2SP asks for at least 16. */
const MAX_SIGNATURES = 100;
const DASH = '\u2014 ';

/** RFC 4648 §4 base64, canonical only: no whitespace, right padding, zero trailing bits. */
export const decodeBase64 = (text: string): Buffer | undefined => {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
};

/** Key names: non-empty, no Unicode space, no '+'. */
export const isValidKeyName = (name: string): boolean => name !== '' && !/[\s+]/u.test(name) && !/\p{Cs}/u.test(name);

/** Valid UTF-8 text (no lone surrogate) with no ASCII control character but newline. */
const isNoteText = (text: string): boolean => ![...text].some((c) => c < ' ' && c !== '\n') && !/\p{Cs}/u.test(text);

/** key ID = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4], big-endian. */
export const ed25519KeyId = (name: string, publicKey: Uint8Array): number =>
  createHash('sha256').update(name, 'utf8').update(Buffer.of(0x0a, ED25519)).update(publicKey).digest().readUInt32BE(0);

const hex8 = (keyId: number): string => keyId.toString(16).padStart(8, '0');

/** The verifier key string `<name>+<8 hex key id>+<base64(0x01 ‖ public key)>`. */
export const ed25519VerifierKey = (name: string, publicKey: Uint8Array): string => {
  if (!isValidKeyName(name)) throw new RangeError(`not a key name: ${JSON.stringify(name)}`);
  if (publicKey.length !== ED25519_PUBLIC_KEY_SIZE) throw new RangeError('an Ed25519 public key is 32 bytes');
  return `${name}+${hex8(ed25519KeyId(name, publicKey))}+${Buffer.concat([Buffer.of(ED25519), publicKey]).toString('base64')}`;
};

/** Reads a verifier key string; its key id must be the one its name and key give. */
export const parseVerifierKey = (text: string): NoteResult<NoteVerifier> => {
  const [name = '', id = '', key = '', ...rest] = text.split('+');
  // The base64 key may itself contain '+': only the first two separate fields.
  const encoded = [key, ...rest].join('+');
  const blob = decodeBase64(encoded);
  if (!isValidKeyName(name) || !/^[0-9a-f]{8}$/.test(id) || blob === undefined) return fail('malformed verifier key');
  if (blob[0] !== ED25519 || blob.length !== 1 + ED25519_PUBLIC_KEY_SIZE) return fail('not an Ed25519 verifier key');
  const publicKey = blob.subarray(1);
  const keyId = ed25519KeyId(name, publicKey);
  if (hex8(keyId) !== id) return fail(`verifier key id ${id} does not match its name and key`);
  return ok({ name, keyId, publicKey });
};

const signatureLine = (line: string): NoteSignature | undefined => {
  if (!line.startsWith(DASH)) return undefined;
  const [name = '', blob64 = '', ...extra] = line.slice(DASH.length).split(' ');
  const blob = decodeBase64(blob64);
  if (extra.length > 0 || !isValidKeyName(name) || blob === undefined || blob.length < 5) return undefined;
  return { name, keyId: blob.readUInt32BE(0), signature: blob.subarray(4) };
};

/** Splits a signed note at its last blank line into text and signature lines; no signature is checked. */
export const parseNote = (note: string): NoteResult<Note> => {
  if (!isNoteText(note)) return fail('malformed note: control characters or invalid UTF-8');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return fail('malformed note: no blank line before the signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2);
  if (lines === '' || !lines.endsWith('\n')) return fail('malformed note: signature lines must end with a newline');
  const signatures: NoteSignature[] = [];
  for (const line of lines.slice(0, -1).split('\n')) {
    const signature = signatureLine(line);
    if (signature === undefined) return fail(`malformed note: not a signature line: ${JSON.stringify(line.slice(0, 120))}`);
    signatures.push(signature);
  }
  if (signatures.length > MAX_SIGNATURES) return fail(`malformed note: more than ${MAX_SIGNATURES} signatures`);
  return ok({ text, signatures });
};

const publicKeyObject = (raw: Buffer) => createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });

/**
 * Verifies a note against one trusted key. Lines of other keys (another name or another id) are
 * ignored; every line of the trusted key must verify (fail-closed: a garbage signature is not
 * "unsigned"), and at least one must be there.
 */
export const openNote = (note: string, verifier: NoteVerifier): NoteResult<Note> => {
  const parsed = parseNote(note);
  if (!parsed.ok) return parsed;
  const mine = parsed.value.signatures.filter((s) => s.name === verifier.name && s.keyId === verifier.keyId);
  if (mine.length === 0) return fail(`no signature by ${verifier.name}+${hex8(verifier.keyId)}`);
  const key = publicKeyObject(verifier.publicKey);
  const message = Buffer.from(parsed.value.text, 'utf8');
  for (const s of mine)
    if (s.signature.length !== ED25519_SIGNATURE_SIZE || !verifySignature(null, message, key, s.signature))
      return fail(`invalid signature for key ${verifier.name}+${hex8(verifier.keyId)}`);
  return parsed;
};

/** Appends a signature line for each signer to the text (which must end with a newline). */
export const signNote = (text: string, signers: readonly NoteSigner[]): string => {
  if (text === '' || !text.endsWith('\n') || !isNoteText(text))
    throw new RangeError('note text must be non-empty, end with a newline and hold no control characters');
  if (signers.length === 0) throw new RangeError('a note needs at least one signer');
  const message = Buffer.from(text, 'utf8');
  const lines = signers.map((s) => {
    if (!isValidKeyName(s.name)) throw new RangeError(`not a key name: ${JSON.stringify(s.name)}`);
    const id = Buffer.alloc(4);
    id.writeUInt32BE(s.keyId);
    return `${DASH}${s.name} ${Buffer.concat([id, s.sign(message)]).toString('base64')}\n`;
  });
  return `${text}\n${lines.join('')}`;
};

/** The checkpoint body: origin, decimal size, base64 root, each newline-terminated. */
export const formatCheckpoint = (c: Checkpoint): string => {
  if (c.origin === '' || c.origin.includes('\n') || !isNoteText(c.origin)) throw new RangeError('origin: one non-empty line');
  if (!Number.isSafeInteger(c.size) || c.size < 0) throw new RangeError('size: a non-negative integer');
  if (c.root.length !== HASH_SIZE) throw new RangeError('root: a SHA-256 hash');
  return `${c.origin}\n${c.size}\n${c.root.toString('base64')}\n`;
};

/** Reads a checkpoint body; extension lines are allowed (non-empty) and ignored. */
export const parseCheckpoint = (text: string): NoteResult<Checkpoint> => {
  if (!text.endsWith('\n')) return fail('malformed checkpoint: no final newline');
  const [origin = '', size = '', root64 = '', ...extensions] = text.slice(0, -1).split('\n');
  if (origin === '') return fail('malformed checkpoint: empty origin');
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) return fail('malformed checkpoint: tree size');
  const root = decodeBase64(root64);
  if (root === undefined || root.length !== HASH_SIZE) return fail('malformed checkpoint: root hash');
  if (extensions.some((line) => line === '')) return fail('malformed checkpoint: empty extension line');
  return ok({ origin, size: Number(size), root });
};

/** Signs a checkpoint as a note. */
export const signCheckpoint = (checkpoint: Checkpoint, signer: NoteSigner): string => signNote(formatCheckpoint(checkpoint), [signer]);

/** Verifies a checkpoint note against a trusted key and, when given, the expected origin. */
export const openCheckpoint = (note: string, verifier: NoteVerifier, origin?: string): NoteResult<Checkpoint> => {
  const opened = openNote(note, verifier);
  if (!opened.ok) return opened;
  const checkpoint = parseCheckpoint(opened.value.text);
  if (!checkpoint.ok) return checkpoint;
  if (origin !== undefined && checkpoint.value.origin !== origin)
    return fail(`checkpoint of origin ${JSON.stringify(checkpoint.value.origin)}, not ${JSON.stringify(origin)}`);
  return checkpoint;
};
