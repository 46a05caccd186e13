import { compareReadModels } from '../../application/audit/compare-read-models.js';
import { projectLog } from '../../application/projections/project-log.js';
import { formatPosition } from '../../application/ports/position.js';
import { loadConfig } from '../../infrastructure/config/config.js';
import { SqliteReadModelStore } from '../../infrastructure/readmodel/sqlite/sqlite-read-model-store.js';
import { openEventStore } from '../../infrastructure/stores/open-event-store.js';
import { openReadModelGenerations } from '../../infrastructure/stores/open-read-models.js';
import { READ_MODEL_PROJECTION } from '../service.js';

/**
 * `npm run verify`: re-derives every read model in memory from the log, up to the stored
 * checkpoint, and reports every answer that differs from the stored read models (exit 1).
 */
const main = async (): Promise<void> => {
  const config = loadConfig();
  const store = await openEventStore(config);
  const generations = await openReadModelGenerations(config);
  const stored = await generations.open(await generations.current());
  const memory = SqliteReadModelStore.open({ path: ':memory:' });
  try {
    const checkpoint = await stored.checkpoint(READ_MODEL_PROJECTION);
    const { events } =
      checkpoint === undefined ? { events: 0 } : await projectLog(store, memory, { projection: READ_MODEL_PROJECTION, until: checkpoint });
    const differences = await compareReadModels(memory, stored);
    const at = checkpoint === undefined ? 'the empty log' : `position ${formatPosition(checkpoint)}`;
    if (differences.length === 0) {
      process.stdout.write(`read models match the log (${events} events, up to ${at})\n`);
      return;
    }
    process.stdout.write(`read models differ from the log (${events} events, up to ${at}):\n${differences.map((d) => `  - ${d}`).join('\n')}\n`);
    process.exitCode = 1;
  } finally {
    await memory.close();
    await stored.close();
    await generations.close();
    await store.close();
  }
};

main().catch((err: unknown) => {
  process.stderr.write(`verify failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
