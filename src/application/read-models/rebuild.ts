import type { Logger } from 'pino';
import type { PersonalData } from '../erasure/personal-data.js';
import { LogProcessor } from '../log/log-processor.js';
import type { EventStore, Position } from '../ports/event-store.js';
import { comparePositions } from '../ports/position.js';
import type { ReadModelGenerations } from '../ports/read-model-generations.js';
import type { ReadModelStore } from '../ports/read-model.js';
import { groupOfChange, withDependencies, type ProjectionGroup } from './groups.js';
import { projectBatch, readModelConsumer } from './projection.js';

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
  readonly logger: Logger;
  /** Opens the events' personal data (an erased user's reads as erased). */
  readonly personal: PersonalData;
}

/**
 * Rebuilds read models from the log into a new generation, catches it up with the live log and
 * makes it current. The new generation is filled by the live projection's own consumer on a log
 * processor of its own, until a check of the head finds nothing new. Live nodes keep serving
 * (and updating) the old generation meanwhile and switch when the pointer moves; the new one's
 * checkpoint carries on from where the rebuild stopped, so no event written meanwhile is lost.
 */
export const rebuildReadModels = async (store: EventStore, generations: ReadModelGenerations, o: RebuildOptions): Promise<RebuildResult> => {
  const now = o.now ?? Date.now;
  const started = now();
  const previous = await generations.current();
  const generation = await generations.create(o.group === undefined ? undefined : previous);
  // Not served until switchTo: the store may load it without syncing, and close() makes it durable.
  const target = await generations.open(generation, { bulkLoad: true });
  const processor = new LogProcessor(store, o.personal, o.logger);
  let closed = false;
  try {
    await processor.start();
    let events = o.group === undefined ? 0 : await rebuildGroup(processor, target, o.projection, o.group, o.onProgress);
    let head = await store.headPosition();
    const run = processor.run(
      readModelConsumer({
        name: o.projection,
        target: () => target,
        batching: { max: REBUILD_BATCH_SIZE },
        onBatch: (n, last) => {
          events += n;
          o.onProgress?.(events, last.recorded.position, head);
        },
      }),
    );
    // Caught up once a pass reaches the head and the head has not moved meanwhile.
    for (;;) {
      if (head === undefined) break;
      if (await run.tracker.waitFor(head, 1000)) {
        const again = await store.headPosition();
        if (again === undefined || comparePositions(again, head) === 0) break;
        head = again;
      } else if (run.state === 'failed' && run.error !== undefined) throw run.error;
    }
    const position = run.tracker.position;
    await processor.stop();
    // Closed (hence durable) before any node can serve it.
    closed = true;
    await target.close();
    await generations.switchTo(generation);
    return { generation, previous, events, seconds: (now() - started) / 1000, position };
  } finally {
    await processor.stop();
    if (!closed) await target.close();
  }
};

/**
 * A copy of the served generation, one read model (and those it reads) dropped and projected
 * again up to the copy's checkpoint, the others kept; the caller then carries on with every
 * change from that checkpoint, like a full rebuild.
 */
const rebuildGroup = async (
  processor: LogProcessor,
  target: ReadModelStore,
  projection: string,
  group: ProjectionGroup,
  onProgress: RebuildOptions['onProgress'],
): Promise<number> => {
  const copiedAt = await target.checkpoint(projection);
  const groups = new Set(withDependencies(group));
  await target.reset([...groups]);
  if (copiedAt === undefined) return 0;
  // `reset` drops the checkpoints too: the last batch below puts the copy's back.
  let events = 0;
  for await (const page of processor.pages({ until: copiedAt, pageSize: REBUILD_BATCH_SIZE })) {
    await target.apply(
      projection,
      projectBatch(page.events, (c) => groups.has(groupOfChange(c.kind))),
    );
    events += page.events.length;
    const last = page.events[page.events.length - 1];
    if (last !== undefined) onProgress?.(events, last.recorded.position, copiedAt);
  }
  return events;
};
