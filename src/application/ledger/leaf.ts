import { createHash } from 'node:crypto';
import type { RecordedEvent } from '../ports/event-store.js';
import { canonicalJsonOf } from './canonical-json.js';
import { hashLeaf } from './merkle.js';

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

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Lowercase hex SHA-256 of the RFC 8785 canonical JSON of the event's data. */
export const dataHash = (data: LeafEvent['data']): string => sha256Hex(canonicalJsonOf(data));

/** The leaf as JSON text: RFC 8785 canonical JSON of `{ v, id, stream, revision, type, metadata, data_hash }`. */
export const leafJson = (e: LeafEvent): string =>
  canonicalJsonOf({
    v: LEAF_VERSION,
    id: e.id,
    stream: e.stream,
    revision: e.revision,
    type: e.type,
    metadata: e.metadata,
    data_hash: dataHash(e.data),
  });

/** The leaf's bytes: the UTF-8 of its canonical JSON. Throws CanonicalJsonError when the event holds no JSON (a non-finite number). */
export const leafBytes = (e: LeafEvent): Buffer => Buffer.from(leafJson(e), 'utf8');

/** RFC 6962 leaf hash of the event: SHA-256(0x00 ‖ leaf bytes). */
export const leafHash = (e: LeafEvent): Buffer => hashLeaf(leafBytes(e));
