import type { EventMetadata, RecordedEvent, StoredEventText } from '../../../application/ports/event-store.js';
import { positionOf } from '../../../application/ports/position.js';
import type { JsonObject } from '../../../domain/shared/json.js';

/** A row of the `events` table as better-sqlite3 returns it. */
export interface EventRow {
  readonly position: number;
  readonly stream_id: string;
  readonly revision: number;
  readonly event_id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
}

export const EVENT_COLUMNS = 'position, stream_id, revision, event_id, type, data, metadata';

export const toRecordedEvent = (row: EventRow): RecordedEvent => {
  // The columns were written by this store from JsonObject / EventMetadata values.
  const data: unknown = JSON.parse(row.data);
  const metadata: unknown = JSON.parse(row.metadata);
  return {
    id: row.event_id,
    type: row.type,
    data: data as JsonObject,
    metadata: metadata as EventMetadata,
    streamId: row.stream_id,
    revision: row.revision,
    position: positionOf(row.position),
  };
};

/** A row read as an array (a raw statement), in EVENT_COLUMNS order. */
export type EventTuple = readonly [position: number, streamId: string, revision: number, eventId: string, type: string, data: string, metadata: string];

/** The row with its data and metadata as stored, unparsed. */
export const toStoredText = ([position, streamId, revision, id, type, data, metadata]: EventTuple): StoredEventText => ({
  id,
  streamId,
  revision,
  type,
  data,
  metadata,
  position: positionOf(position),
});
