import { jsonEvent, type EventData, type Position as EsdbPosition } from '@eventstore/db-client';
import type { NewEvent, RecordedEvent } from '../../../application/ports/event-store.js';
import type { JsonObject } from '../../../domain/shared/json.js';
import { EsdbDecodeError } from './esdb-errors.js';
import { fromEsdbPosition, toRevision } from './esdb-mapping.js';
import { fromEsdbMetadata, toEsdbMetadata } from './esdb-metadata.js';

/** What we read of the client's recorded events (both its JSON and binary variants fit). */
export interface EsdbRecord {
  readonly streamId: string;
  readonly id: string;
  readonly revision: bigint;
  readonly type: string;
  readonly isJson: boolean;
  readonly data: unknown;
  readonly metadata: unknown;
  /** Always set on $all reads; on stream reads only by servers from 22.6 on. */
  readonly position?: EsdbPosition;
}

/** Our id is passed through, so that EventStoreDB's idempotent append recognises a retried batch. */
export const toEventData = (e: NewEvent): EventData => jsonEvent({ id: e.id, type: e.type, data: e.data, metadata: toEsdbMetadata(e.metadata) });

/** Streams of snapshots (esdb-snapshot-store.ts): derived data beside the log, never part of it. */
export const SNAPSHOT_STREAM_PREFIX = 'snapshot-';

/**
 * Events outside our log: system events ($-prefixed types, such as links and stream metadata,
 * or system streams), and snapshots. Reads and subscriptions of $all never hand them out.
 */
export const isSystemEvent = (e: { readonly streamId: string; readonly type: string }): boolean =>
  e.type.startsWith('$') || e.streamId.startsWith('$') || e.streamId.startsWith(SNAPSHOT_STREAM_PREFIX);

// JSON.parse output that is an object is a JsonObject.
const isJsonObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export const toRecordedEvent = (r: EsdbRecord): RecordedEvent => {
  const fail = (reason: string): never => {
    throw new EsdbDecodeError(r.streamId, r.id, reason);
  };
  if (!r.isJson) fail('content type is not application/json');
  const data = isJsonObject(r.data) ? r.data : fail('data is not a JSON object');
  const metadata = fromEsdbMetadata(r.metadata);
  if (typeof metadata === 'string') return fail(metadata);
  const position = r.position ?? fail('no log position (EventStoreDB older than 22.6?)');
  return {
    id: r.id,
    type: r.type,
    data,
    metadata,
    streamId: r.streamId,
    revision: toRevision(r.revision),
    position: fromEsdbPosition(position),
  };
};
