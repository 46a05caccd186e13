import type { DomainEvent } from '../../domain/shared/decider.js';
import type { EventSet } from '../../domain/shared/event.js';
import type { EventStore, ReadStreamOptions, RecordedEvent } from '../ports/event-store.js';
import { decodeStored } from './stored.js';

/** A recorded event of one stream and, when its type is one of the decider's, its decoded event. */
export interface StreamEvent<E extends DomainEvent> {
  readonly recorded: RecordedEvent;
  readonly event: E | undefined;
}

/** One page of a stream, decoded by the decider's own events (aggregate loads, the audit trail). */
export const readStreamOf = async <E extends DomainEvent>(
  store: Pick<EventStore, 'readStream'>,
  events: EventSet<E>,
  streamId: string,
  options?: ReadStreamOptions,
): Promise<readonly StreamEvent<E>[]> =>
  (await store.readStream(streamId, options)).map((recorded) => ({ recorded, event: decodeStored(events, recorded)?.event }));
