import { isLeft } from 'fp-ts/lib/Either.js';
import type { AnyDomainEvent } from '../../domain/events.js';
import type { DomainEvent } from '../../domain/shared/decider.js';
import type { EventSet } from '../../domain/shared/event.js';
import type { EventMetadata, NewEvent, RecordedEvent } from '../ports/event-store.js';

/** A stored event decoded into the domain's type, with its envelope (id, stream, position, metadata, stored data). */
export interface Stored<E extends DomainEvent = AnyDomainEvent> {
  readonly event: E;
  readonly recorded: RecordedEvent;
}

export class EventDecodeError extends Error {
  override readonly name = 'EventDecodeError';
}

export class EventShapeError extends Error {
  override readonly name = 'EventShapeError';
}

/** What the command that caused the events says about them (the events' metadata, but for the schema version). */
export interface CommandMeta {
  readonly userId?: string;
  readonly correlationId: string;
  readonly causationId?: string;
  readonly timestamp: string;
}

/**
 * The one place a stored event becomes a domain event: upcast from its stored version, decoded
 * by its type's codec. Undefined for a type outside `events` (a foreign event in a shared
 * store); a stored event that does not decode is a fault, never skipped.
 */
export const decodeStored = <E extends DomainEvent>(events: EventSet<E>, recorded: RecordedEvent): Stored<E> | undefined => {
  const decoded = events.decode(recorded.type, recorded.metadata.schemaVersion ?? 1, recorded.data);
  if (decoded === undefined) return undefined;
  if (isLeft(decoded)) throw new EventDecodeError(`Stored event ${recorded.id} (${recorded.type}) does not decode: ${decoded.left}`);
  return { event: decoded.right, recorded };
};

/** An event about to be stored, checked against its type's codec first: a shape no reader could decode is never written. */
export const toNewEvent = <E extends DomainEvent>(events: EventSet<E>, event: E, meta: CommandMeta, id: string): NewEvent => {
  const spec = events.spec(event.type);
  if (spec === undefined || !spec.accepts(event)) throw new EventShapeError(`${event.type} does not have the shape its codec declares: not stored`);
  const metadata: EventMetadata = {
    ...(meta.userId === undefined ? {} : { userId: meta.userId }),
    correlationId: meta.correlationId,
    ...(meta.causationId === undefined ? {} : { causationId: meta.causationId }),
    timestamp: meta.timestamp,
    schemaVersion: spec.version,
  };
  return { id, type: event.type, data: event.data, metadata };
};
