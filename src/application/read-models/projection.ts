import { projectEvent } from '../features.js';
import type { LogConsumer } from '../log/consumer.js';
import type { Stored } from '../log/stored.js';
import type { PositionedChanges, ReadModelChange, ReadModelStore } from '../ports/read-model.js';

/** The projection's name: its checkpoint in the read models. */
export const READ_MODEL_PROJECTION = 'read-models';

/** Events as read-model changes, each at its position (`keep` leaves some out: rebuilding one read model). */
export const projectBatch = (events: readonly Stored[], keep?: (change: ReadModelChange) => boolean): PositionedChanges[] =>
  events.map(({ event, recorded, erased }) => {
    const changes = projectEvent(event, { eventId: recorded.id, position: recorded.position, erased });
    return { position: recorded.position, changes: keep === undefined ? changes : changes.filter(keep) };
  });

export interface ReadModelConsumerOptions {
  readonly name: string;
  /** The store written to: the served generation, which a switch may change. */
  readonly target: () => ReadModelStore;
  readonly batching: { readonly max: number; readonly spacingMs?: number };
  /** After each batch is applied: how many events it held. */
  readonly onBatch?: (events: number, last: Stored) => void;
}

/**
 * The read models as a consumer of the log processor: each batch of events projected and
 * applied with the checkpoint in one store call, so an event lands once whatever node or restart.
 * The live node and a rebuild run this same consumer.
 */
export const readModelConsumer = (o: ReadModelConsumerOptions): LogConsumer => ({
  name: o.name,
  resumeAfter: () => o.target().checkpoint(o.name),
  handle: async (events) => {
    await o.target().apply(o.name, projectBatch(events));
    const last = events[events.length - 1];
    if (last !== undefined) o.onBatch?.(events.length, last);
  },
  batching: o.batching,
});
