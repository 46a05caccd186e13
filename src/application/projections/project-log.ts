import { fromRecorded } from '../events/event-serde.js';
import type { EventStore, Position } from '../ports/event-store.js';
import { comparePositions } from '../ports/position.js';
import type { PositionedChanges, ReadModelChange, ReadModelStore } from '../ports/read-model.js';
import { projectReadModel } from './read-model-projection.js';

export interface ProjectLogOptions {
  readonly projection: string;
  /** Exclusive start; undefined = the beginning of the log. */
  readonly after?: Position;
  /** Inclusive end; undefined = until the log has no more events. */
  readonly until?: Position;
  /** Keeps only some changes (rebuilding one read model); every event still moves the checkpoint. */
  readonly keep?: (change: ReadModelChange) => boolean;
  readonly batchSize?: number;
  readonly onBatch?: (events: number, last: Position) => void;
}

/**
 * Projects a range of the log into `target` in large batches: the code path of a rebuild, of
 * `verify`, and of tests. Live nodes use ProjectionRunner, which applies the same projection.
 */
export const projectLog = async (store: EventStore, target: ReadModelStore, o: ProjectLogOptions): Promise<{ events: number; last: Position | undefined }> => {
  const batchSize = o.batchSize ?? 5000;
  let after = o.after;
  let events = 0;
  // The batch being applied: the next one is read and projected meanwhile (a store that writes on
  // a thread of its own then uses both cores), but batches are applied strictly one after another.
  let applying: { readonly done: Promise<void>; readonly size: number; readonly last: Position } | undefined;
  let applied: Position | undefined = o.after;
  const settle = async (): Promise<void> => {
    if (applying === undefined) return;
    await applying.done;
    events += applying.size;
    applied = applying.last;
    o.onBatch?.(events, applying.last);
    applying = undefined;
  };
  for (;;) {
    const page = await store.readAll({ ...(after === undefined ? {} : { after }), maxCount: batchSize });
    const batch: PositionedChanges[] = [];
    for (const recorded of page) {
      if (o.until !== undefined && comparePositions(recorded.position, o.until) > 0) break;
      const event = fromRecorded(recorded);
      const changes = event === undefined ? [] : projectReadModel(event, { eventId: recorded.id, position: recorded.position });
      batch.push({ position: recorded.position, changes: o.keep === undefined ? changes : changes.filter(o.keep) });
    }
    await settle();
    const last = batch[batch.length - 1]?.position;
    if (last === undefined) return { events, last: applied };
    const done = target.apply(o.projection, batch);
    // Awaited by the next settle(); until then a failure must not count as unhandled.
    done.catch(() => undefined);
    applying = { done, size: batch.length, last };
    after = last;
    if (batch.length < page.length || page.length < batchSize) {
      await settle();
      return { events, last: applied };
    }
  }
};
