import type { EventStore, Position } from '../ports/event-store.js';
import type { ReadModelGenerations } from '../ports/read-model-generations.js';
import { groupOfChange, withDependencies, type ProjectionGroup } from './groups.js';
import { projectLog } from './project-log.js';

export interface RebuildResult {
  readonly generation: string;
  readonly previous: string;
  readonly events: number;
  readonly seconds: number;
  readonly position: Position | undefined;
}

/**
 * Events per transaction while rebuilding: a commit costs about as much as a few thousand
 * events, and the generation is not served, so nothing waits on a long transaction.
 */
export const REBUILD_BATCH_SIZE = 20_000;

export interface RebuildOptions {
  readonly projection: string;
  /** Rebuild only this read model (and those it reads); undefined rebuilds every one. */
  readonly group?: ProjectionGroup;
  readonly onProgress?: (events: number, position: Position, head: Position | undefined) => void;
  readonly now?: () => number;
}

/**
 * Rebuilds read models from the log into a new generation, catches it up with the live log and
 * makes it current. Live nodes keep serving (and updating) the old generation meanwhile and
 * switch when the pointer moves; the new one's checkpoint carries on from where the rebuild
 * stopped, so no event written during the rebuild is lost.
 */
export const rebuildReadModels = async (store: EventStore, generations: ReadModelGenerations, o: RebuildOptions): Promise<RebuildResult> => {
  const now = o.now ?? Date.now;
  const started = now();
  const previous = await generations.current();
  const generation = await generations.create(o.group === undefined ? undefined : previous);
  // Not served until switchTo: the store may load it without syncing, and close() makes it durable.
  const target = await generations.open(generation, { bulkLoad: true });
  let events = 0;
  let after: Position | undefined;
  let closed = false;
  try {
    if (o.group !== undefined) {
      // A copy of the served generation: rebuild the chosen read models up to its checkpoint,
      // keeping the others, then carry on with every change like a full rebuild.
      const copiedAt = await target.checkpoint(o.projection);
      const groups = new Set(withDependencies(o.group));
      await target.reset([...groups]);
      if (copiedAt !== undefined) {
        const head = copiedAt;
        const r = await projectLog(store, target, {
          projection: o.projection,
          until: copiedAt,
          batchSize: REBUILD_BATCH_SIZE,
          keep: (c) => groups.has(groupOfChange(c.kind)),
          onBatch: (n, last) => o.onProgress?.(n, last, head),
        });
        events += r.events;
        after = r.last;
      }
    }
    // Catch up until a pass finds nothing new: the generation is then as fresh as the live one.
    for (;;) {
      const head = await store.headPosition();
      const base = events;
      const r = await projectLog(store, target, {
        projection: o.projection,
        ...(after === undefined ? {} : { after }),
        batchSize: REBUILD_BATCH_SIZE,
        onBatch: (n, last) => o.onProgress?.(base + n, last, head),
      });
      events += r.events;
      after = r.last;
      if (r.events === 0) break;
    }
    // Closed (hence durable) before any node can serve it.
    closed = true;
    await target.close();
    await generations.switchTo(generation);
  } finally {
    if (!closed) await target.close();
  }
  return { generation, previous, events, seconds: (now() - started) / 1000, position: after };
};
