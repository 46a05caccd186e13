import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { isProjectionGroup, ALL_GROUPS } from '../../application/projections/groups.js';
import { rebuildReadModels } from '../../application/projections/rebuild.js';
import { formatPosition } from '../../application/ports/position.js';
import { loadConfig } from '../../infrastructure/config/config.js';
import { openEventStore } from '../../infrastructure/stores/open-event-store.js';
import { openReadModelGenerations } from '../../infrastructure/stores/open-read-models.js';
import { READ_MODEL_PROJECTION } from '../service.js';

/**
 * `npm run replay [-- --projection NAME]`: rebuilds every read model (or one) from the log into
 * a new generation and switches the running service(s) over to it.
 */
const main = async (): Promise<void> => {
  const { values } = parseArgs({ options: { projection: { type: 'string' }, 'keep-old': { type: 'boolean' } } });
  const group = values.projection;
  if (group !== undefined && !isProjectionGroup(group)) {
    process.stderr.write(`unknown projection ${group}: one of ${ALL_GROUPS.join(', ')}\n`);
    process.exit(2);
  }
  const config = loadConfig();
  const store = await openEventStore(config);
  const generations = await openReadModelGenerations(config);
  const bar = new cliProgress.SingleBar(
    { format: 'replay [{bar}] {percentage}% | {value} events | {rate} events/s', hideCursor: true, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  bar.start(100, 0, { rate: 0 });
  try {
    const result = await rebuildReadModels(store, generations, {
      projection: READ_MODEL_PROJECTION,
      ...(group === undefined ? {} : { group }),
      onProgress: (events, position, head) => {
        const fraction = head === undefined || head.commit === 0n ? 1 : Number((position.commit * 1000n) / head.commit) / 1000;
        bar.setTotal(Math.max(events, Math.round(events / Math.max(fraction, 0.001))));
        bar.update(events, { rate: Math.round(events / Math.max((Date.now() - started) / 1000, 0.001)) });
      },
    });
    bar.update(result.events);
    bar.stop();
    const rate = Math.round(result.events / Math.max(result.seconds, 0.001));
    process.stdout.write(
      `rebuilt ${group ?? 'every read model'} from ${result.events} events in ${result.seconds.toFixed(2)} s: ${rate} events/s; ` +
        `generation ${result.generation} is current (up to position ${result.position === undefined ? '-' : formatPosition(result.position)})\n`,
    );
    if (values['keep-old'] !== true && result.previous !== result.generation) {
      // Nodes poll the pointer every second: give them time to leave the old generation.
      await new Promise((r) => setTimeout(r, 3000));
      await generations.drop(result.previous);
      process.stdout.write(`dropped the previous generation ${result.previous}\n`);
    }
  } finally {
    bar.stop();
    await generations.close();
    await store.close();
  }
};

main().catch((err: unknown) => {
  process.stderr.write(`\nreplay failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
