import { compareReadModels } from '../../application/audit/compare-read-models.js';
import { LogProcessor } from '../../application/log/log-processor.js';
import { formatPosition } from '../../application/ports/position.js';
import { projectBatch, READ_MODEL_PROJECTION } from '../../application/read-models/projection.js';
import { loadConfig } from '../../infrastructure/config/config.js';
import { createLogger } from '../../infrastructure/logging/logger.js';
import { SqliteReadModelStore } from '../../infrastructure/readmodel/sqlite/sqlite-read-model-store.js';
import { openEventStore } from '../../infrastructure/stores/open-event-store.js';
import { openKeys } from '../../infrastructure/stores/open-keys.js';
import { openReadModelGenerations } from '../../infrastructure/stores/open-read-models.js';
import { CliFailure, defineCli } from './cli-args.js';
import { runCli } from './run-cli.js';

const spec = defineCli({
  name: 'verify',
  synopsis: ['npm run verify'],
  description:
    'Re-derives every read model in memory from the log, up to the stored checkpoint, and compares every query answer with the stored read models; ' +
    'exit 1 on any difference (each printed), or when the read models were never built from a non-empty log.',
  options: {},
});

runCli(spec, async () => {
  const config = loadConfig();
  const store = await openEventStore(config);
  const keys = await openKeys(config);
  const generations = await openReadModelGenerations(config);
  const stored = await generations.open(await generations.current());
  const memory = SqliteReadModelStore.open({ path: ':memory:' });
  try {
    const checkpoint = await stored.checkpoint(READ_MODEL_PROJECTION);
    if (checkpoint === undefined && (await store.headPosition()) !== undefined) {
      throw new CliFailure('the read models were never built from this log (nothing to compare): run npm run replay');
    }
    let events = 0;
    if (checkpoint !== undefined) {
      const log = new LogProcessor(store, keys.personal, createLogger('silent'));
      for await (const page of log.pages({ until: checkpoint, pageSize: 5000 })) {
        await memory.apply(READ_MODEL_PROJECTION, projectBatch(page.events));
        events += page.events.length;
      }
    }
    const differences = await compareReadModels(memory, stored);
    const at = checkpoint === undefined ? 'the empty log' : `position ${formatPosition(checkpoint)}`;
    if (differences.length === 0) {
      process.stdout.write(`read models match the log (${events} events, up to ${at})\n`);
      return 0;
    }
    process.stdout.write(`read models differ from the log (${events} events, up to ${at}):\n${differences.map((d) => `  - ${d}`).join('\n')}\n`);
    return 1;
  } finally {
    await memory.close();
    await stored.close();
    await generations.close();
    await keys.close();
    await store.close();
  }
});
