import type { PersonalData } from '../../application/erasure/personal-data.js';
import type { EventStore } from '../../application/ports/event-store.js';
import type { ReadModelGenerations } from '../../application/ports/read-model-generations.js';
import type { ProjectionGroup } from '../../application/read-models/groups.js';
import { READ_MODEL_PROJECTION } from '../../application/read-models/projection.js';
import { rebuildReadModels, type RebuildResult } from '../../application/read-models/rebuild.js';
import { createLogger } from '../../infrastructure/logging/logger.js';
import { fractionOf, progressBar } from './progress.js';

/** Nodes poll the generation pointer every second: this gives them time to leave the old one. */
const SWITCH_GRACE_MS = 3000;

/** `rebuildReadModels` with a progress bar (on a terminal). */
export const rebuildWithProgress = async (
  store: EventStore,
  personal: PersonalData,
  generations: ReadModelGenerations,
  label: string,
  group?: ProjectionGroup,
): Promise<RebuildResult> => {
  const bar = progressBar(label);
  try {
    const result = await rebuildReadModels(store, generations, {
      projection: READ_MODEL_PROJECTION,
      personal,
      ...(group === undefined ? {} : { group }),
      onProgress: (events, position, head) => bar.update(fractionOf(position, head), events),
      // A fault fails the rebuild (its message is the tool's one line): nothing to log besides.
      logger: createLogger('silent'),
    });
    bar.update(1, result.events);
    return result;
  } finally {
    bar.stop();
  }
};

/** Drops the generation a rebuild replaced, once the nodes serving it have had time to switch. */
export const dropReplaced = async (generations: ReadModelGenerations, result: RebuildResult): Promise<boolean> => {
  if (result.previous === result.generation) return false;
  await new Promise((r) => setTimeout(r, SWITCH_GRACE_MS));
  await generations.drop(result.previous);
  return true;
};
