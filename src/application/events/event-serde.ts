import { newId } from '../commands/ids.js';
import { isLeft } from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import type { AnyDomainEvent } from '../../domain/events.js';
import type { JsonObject } from '../../domain/shared/json.js';
import type { EventMetadata, NewEvent, RecordedEvent } from '../ports/event-store.js';
import { eventDataCodecs, isKnownEventType } from './event-codecs.js';
import { CURRENT_SCHEMA_VERSION, upcast } from './upcasters.js';

export interface CommandMeta {
  readonly userId?: string;
  readonly correlationId: string;
  readonly causationId?: string;
  readonly timestamp: string;
}

/** A stored event decoded into the domain's union, with its envelope. */
export interface StoredDomainEvent<E extends AnyDomainEvent = AnyDomainEvent> {
  readonly event: E;
  readonly recorded: RecordedEvent;
}

/** Domain event data is built from JSON values only, so it is a JsonObject by construction. */
const asJson = (data: object): JsonObject => data as JsonObject;

export const toNewEvent = (event: AnyDomainEvent, meta: CommandMeta): NewEvent => {
  const metadata: EventMetadata = {
    ...(meta.userId === undefined ? {} : { userId: meta.userId }),
    correlationId: meta.correlationId,
    ...(meta.causationId === undefined ? {} : { causationId: meta.causationId }),
    timestamp: meta.timestamp,
    schemaVersion: CURRENT_SCHEMA_VERSION[event.type],
  };
  return { id: newId(), type: event.type, data: asJson(event.data), metadata };
};

export class EventDecodeError extends Error {
  override readonly name = 'EventDecodeError';
}

/** Decodes a stored event, upcasting older schema versions; undefined for types this code does not know (foreign events in a shared store). */
export const fromRecorded = (recorded: RecordedEvent): AnyDomainEvent | undefined => {
  const { type } = recorded;
  if (!isKnownEventType(type)) return undefined;
  const data = upcast(type, recorded.metadata.schemaVersion ?? 1, recorded.data);
  const decoded = eventDataCodecs[type].decode(data);
  if (isLeft(decoded)) {
    throw new EventDecodeError(`Stored event ${recorded.id} (${type}) does not decode: ${PathReporter.report(decoded).join('; ')}`);
  }
  // The codec for `type` decodes exactly the data of the domain event tagged `type`.
  return { type, data: decoded.right } as AnyDomainEvent;
};
