import { hash } from 'node:crypto';
import type { RecordedEvent, StoredEventText } from '../ports/event-store.js';
import { canonicalJsonOf, canonicalString } from './canonical-json.js';
import { canonicalFromText } from './canonical-text.js';
import { sha256, writeDigest } from './merkle.js';

/** Version of the leaf layout, the `v` of every leaf. */
export const LEAF_VERSION = 1;

/**
 * What a leaf is made of: an event as `npm run export` writes it, less `position` (positions
 * differ between stores and change on import). Structural, so a parsed export line fits as is.
 */
export interface LeafEvent {
  readonly id: string;
  readonly stream: string;
  readonly revision: number;
  readonly type: string;
  /** As stored: personal data already encrypted, so erasing it never changes a leaf. */
  readonly data: { readonly [key: string]: unknown };
  readonly metadata: {
    readonly correlationId: string;
    readonly timestamp: string;
    readonly userId?: string;
    readonly causationId?: string;
    readonly schemaVersion?: number;
  };
}

export const leafEventOf = (e: RecordedEvent): LeafEvent => ({
  id: e.id,
  stream: e.streamId,
  revision: e.revision,
  type: e.type,
  data: e.data,
  metadata: e.metadata,
});

/** One-shot hashing of a string (UTF-8): the fastest Node offers for inputs this small. */
const sha256Hex = (text: string): string => hash('sha256', text, 'hex');

/** Lowercase hex SHA-256 of the RFC 8785 canonical JSON of the event's data. */
export const dataHash = (data: LeafEvent['data']): string => sha256Hex(canonicalJsonOf(data));

/** The leaf as a JSON value, as proofs hand it out: its canonical JSON's UTF-8 is the leaf. */
export interface LeafObject {
  readonly v: typeof LEAF_VERSION;
  readonly id: string;
  readonly stream: string;
  readonly revision: number;
  readonly type: string;
  readonly metadata: LeafEvent['metadata'];
  readonly data_hash: string;
}

export const leafObject = (e: LeafEvent): LeafObject => ({
  v: LEAF_VERSION,
  id: e.id,
  stream: e.stream,
  revision: e.revision,
  type: e.type,
  metadata: e.metadata,
  data_hash: dataHash(e.data),
});

/**
 * The leaf as JSON text from its parts (the metadata already canonical): RFC 8785 canonical JSON
 * of `{ v, id, stream, revision, type, metadata, data_hash }`, written with its member names in
 * canonical order (data_hash, id, metadata, revision, stream, type, v), which the tests check
 * against canonicalising the object.
 */
const leafText = (id: string, stream: string, revision: number, type: string, dataHashHex: string, metadata: string, prefix = ''): string =>
  `${prefix}{"data_hash":"${dataHashHex}","id":${canonicalString(id)},"metadata":${metadata},` +
  `"revision":${Number.isSafeInteger(revision) ? String(revision) : canonicalJsonOf(revision)},"stream":${canonicalString(stream)},"type":${canonicalString(type)},"v":${LEAF_VERSION}}`;

/** The leaf as JSON text: RFC 8785 canonical JSON of `{ v, id, stream, revision, type, metadata, data_hash }`. */
export const leafJson = (e: LeafEvent): string => leafText(e.id, e.stream, e.revision, e.type, dataHash(e.data), canonicalJsonOf(e.metadata));

/** Canonical JSON of stored JSON text: straight from the text when it is in JSON.stringify's form, else parsed and written again. */
const canonicalOfText = (text: string): string => {
  const direct = canonicalFromText(text);
  if (direct !== undefined) return direct;
  const parsed: unknown = JSON.parse(text);
  return canonicalJsonOf(parsed);
};

/** Stored text taken as it is (see leafHashAsStoredInto). */
const asStored = (text: string): string => text;

/**
 * The leaf of an event read as stored text, its data and metadata put in canonical form by `form`:
 * with `canonicalOfText`, the very bytes `leafJson` gives for the event parsed.
 */
const leafTextOf = (e: StoredEventText, prefix: string, form: (text: string) => string = canonicalOfText): string =>
  leafText(e.id, e.streamId, e.revision, e.type, sha256Hex(form(e.data)), form(e.metadata), prefix);

/** The leaf hash of `leafTextOf(e, 0x00, form)`, written into `out` at `offset`. */
const leafHashOfStoredInto = (e: StoredEventText, form: (text: string) => string, out: Buffer, offset: number): void => {
  writeDigest(hash('sha256', leafTextOf(e, '\u0000', form), 'binary'), out, offset);
};

export const leafJsonOfText = (e: StoredEventText): string => leafTextOf(e, '');

/** The leaf's bytes: the UTF-8 of its canonical JSON. Throws CanonicalJsonError when the event holds no JSON (a non-finite number). */
export const leafBytes = (e: LeafEvent): Buffer => Buffer.from(leafJson(e), 'utf8');

/** RFC 6962 leaf hash of the event: SHA-256(0x00 ‖ leaf bytes); the NUL character is the 0x00 byte in UTF-8. */
export const leafHash = (e: LeafEvent): Buffer => sha256(`\u0000${leafJson(e)}`);

/** The leaf hash of an event read as stored text, written into `out` at `offset` (32 bytes): a verifier hashing a million leaves allocates no buffer per leaf. */
export const leafHashOfTextInto = (e: StoredEventText, out: Buffer, offset: number): void => leafHashOfStoredInto(e, canonicalOfText, out, offset);

/** Whether the event's data and metadata are stored in canonical form (as the SQLite store writes them). */
export const storedCanonically = (e: StoredEventText): boolean => canonicalFromText(e.data) === e.data && canonicalFromText(e.metadata) === e.metadata;

/**
 * The leaf hash the event has if its data and metadata are stored in canonical form, without
 * checking that they are. Only a comparison with sealed hashes makes it an answer: when they are
 * equal, collision resistance says the stored text is the canonical text that was sealed; when
 * not, the caller computes the leaf with `leafHashOfTextInto` before concluding anything. Data
 * enters through its hash and the strings as canonical JSON, so the metadata is the one part taken
 * raw; the tail after it (`,"revision":…,"v":1}`) holds that marker once outside its strings, so
 * two leaves of equal bytes cannot split differently there: equal leaves mean equal metadata.
 */
export const leafHashAsStoredInto = (e: StoredEventText, out: Buffer, offset: number): void => leafHashOfStoredInto(e, asStored, out, offset);
