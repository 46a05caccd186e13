import { isProjectionGroup, ALL_GROUPS } from '../../application/read-models/groups.js';
import { formatPosition } from '../../application/ports/position.js';
import { loadConfig } from '../../infrastructure/config/config.js';
import { openEventStore } from '../../infrastructure/stores/open-event-store.js';
import { openKeys } from '../../infrastructure/stores/open-keys.js';
import { openReadModelGenerations } from '../../infrastructure/stores/open-read-models.js';
import { defineCli, UsageError } from './cli-args.js';
import { dropReplaced, rebuildWithProgress } from './rebuild-with-progress.js';
import { runCli } from './run-cli.js';

const spec = defineCli({
  name: 'replay',
  synopsis: ['npm run replay [-- --projection NAME] [--keep-old]'],
  description: 'Rebuilds every read model (or one) from the log into a new generation and switches the running service(s) over to it (safe while serving).',
  options: {
    projection: { type: 'string', value: 'NAME', help: `rebuild only this read model (and those it reads): ${ALL_GROUPS.join(' | ')}` },
    'keep-old': { type: 'boolean', help: 'keep the replaced generation instead of dropping it 3 s after the switch' },
  },
});

runCli(spec, async ({ values }) => {
  const group = values.projection;
  if (group !== undefined && !isProjectionGroup(group)) throw new UsageError(`unknown projection ${group}: one of ${ALL_GROUPS.join(', ')}`);
  const config = loadConfig();
  const store = await openEventStore(config);
  const keys = await openKeys(config);
  const generations = await openReadModelGenerations(config);
  try {
    const result = await rebuildWithProgress(store, keys.personal, generations, 'replay', group);
    const rate = Math.round(result.events / Math.max(result.seconds, 0.001));
    process.stdout.write(
      `rebuilt ${group ?? 'every read model'} from ${result.events} events in ${result.seconds.toFixed(2)} s: ${rate} events/s; ` +
        `generation ${result.generation} is current (up to position ${result.position === undefined ? '-' : formatPosition(result.position)})\n`,
    );
    if (values['keep-old'] !== true && (await dropReplaced(generations, result))) {
      process.stdout.write(`dropped the previous generation ${result.previous}\n`);
    }
  } finally {
    await generations.close();
    await keys.close();
    await store.close();
  }
});
