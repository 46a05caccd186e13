import type { DomainEvent } from '../../domain/shared/decider.js';
import type { EventSet } from '../../domain/shared/event.js';
import type { JsonObject } from '../../domain/shared/json.js';
import type { PersonalData } from '../erasure/personal-data.js';
import type { EventStore, ReadStreamOptions, RecordedEvent } from '../ports/event-store.js';
import { decodeStored } from './stored.js';

/** A recorded event of one stream and, when its type is one of the decider's, its decoded event. */
export interface StreamEvent<E extends DomainEvent> {
  readonly recorded: RecordedEvent;
  readonly event: E | undefined;
  /** The stored data with its personal fields opened (as stored for a type not of the decider's). */
  readonly opened: JsonObject;
  /** One of its personal fields was erased. */
  readonly erased: boolean;
}

/** One page of a stream, decoded by the decider's own events (aggregate loads, the audit trail). */
export const readStreamOf = async <E extends DomainEvent>(
  store: Pick<EventStore, 'readStream'>,
  personal: PersonalData,
  events: EventSet<E>,
  streamId: string,
  options?: ReadStreamOptions,
): Promise<readonly StreamEvent<E>[]> => {
  const records = await store.readStream(streamId, options);
  await personal.prepare(events, records);
  return records.map((recorded) => {
    const stored = decodeStored(events, recorded, personal);
    return stored === undefined
      ? { recorded, event: undefined, opened: recorded.data, erased: false }
      : { recorded, event: stored.event, opened: stored.opened, erased: stored.erased };
  });
};
