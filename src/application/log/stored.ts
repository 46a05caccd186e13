import { isLeft } from 'fp-ts/lib/Either.js';
import type { AnyDomainEvent } from '../../domain/events.js';
import type { DomainEvent } from '../../domain/shared/decider.js';
import type { EventSet } from '../../domain/shared/event.js';
import type { JsonObject } from '../../domain/shared/json.js';
import type { PersonalData } from '../erasure/personal-data.js';
import type { EventMetadata, NewEvent, RecordedEvent } from '../ports/event-store.js';

/** A stored event decoded into the domain's type, with its envelope (id, stream, position, metadata, stored data). */
export interface Stored<E extends DomainEvent = AnyDomainEvent> {
  readonly event: E;
  /** As stored: personal data sealed. */
  readonly recorded: RecordedEvent;
  /** The stored data (before upcasting) with its personal fields opened: what a history view shows. */
  readonly opened: JsonObject;
  /** One of its personal fields was erased (it reads as empty, or as its owner's alias). */
  readonly erased: boolean;
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
 * The one place a stored event becomes a domain event: its personal fields opened (their keys
 * loaded first by `personal.prepare`), upcast from its stored version, decoded by its type's
 * codec. Undefined for a type outside `events` (a foreign event in a shared store); a stored
 * event that does not decode, or whose personal data is not sealed or does not authenticate, is a
 * fault, never skipped.
 */
export const decodeStored = <E extends DomainEvent>(events: EventSet<E>, recorded: RecordedEvent, personal: PersonalData): Stored<E> | undefined => {
  const spec = events.spec(recorded.type);
  if (spec === undefined) return undefined;
  let opened;
  try {
    opened = personal.open(spec.personal, recorded.data, recorded.id);
  } catch (e) {
    throw new EventDecodeError(`Stored event ${recorded.id} (${recorded.type}): ${e instanceof Error ? e.message : String(e)}`);
  }
  const decoded = spec.decode(recorded.metadata.schemaVersion ?? 1, opened.data);
  if (isLeft(decoded)) throw new EventDecodeError(`Stored event ${recorded.id} (${recorded.type}) does not decode: ${decoded.left}`);
  return { event: decoded.right, recorded, opened: opened.data, erased: opened.erased };
};

/**
 * An event about to be stored, checked against its type's codec first (a shape no reader could
 * decode is never written), its personal fields sealed with their owners' keys: the one place
 * the write path encrypts.
 */
export const toNewEvent = async <E extends DomainEvent>(
  events: EventSet<E>,
  event: E,
  meta: CommandMeta,
  id: string,
  personal: PersonalData,
): Promise<NewEvent> => {
  const spec = events.spec(event.type);
  if (spec === undefined || !spec.accepts(event)) throw new EventShapeError(`${event.type} does not have the shape its codec declares: not stored`);
  const metadata: EventMetadata = {
    ...(meta.userId === undefined ? {} : { userId: meta.userId }),
    correlationId: meta.correlationId,
    ...(meta.causationId === undefined ? {} : { causationId: meta.causationId }),
    timestamp: meta.timestamp,
    schemaVersion: spec.version,
  };
  return { id, type: event.type, data: await personal.seal(spec.personal, event.data, id), metadata };
};
