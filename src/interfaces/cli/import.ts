import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { importLog } from '../../application/transfer/import-log.js';
import { loadConfig } from '../../infrastructure/config/config.js';
import { openEventStore } from '../../infrastructure/stores/open-event-store.js';
import { openReadModelGenerations } from '../../infrastructure/stores/open-read-models.js';
import { CliFailure, defineCli } from './cli-args.js';
import { progressBar } from './progress.js';
import { dropReplaced, rebuildWithProgress } from './rebuild-with-progress.js';
import { runCli } from './run-cli.js';

const spec = defineCli({
  name: 'import',
  synopsis: ['npm run import -- FILE'],
  description:
    'Loads an exported log (NDJSON) into an EMPTY store, embedded or EventStoreDB (EVENTSTORE_URL), keeping order, ids and stream revisions; ' +
    'then builds the read models from it, so the service, verify and audit answer at once.',
  options: {},
  positionals: { min: 1, max: 1, names: 'FILE' },
});

const rate = (events: number, seconds: number): number => Math.round(events / Math.max(seconds, 0.001));

runCli(spec, async ({ positionals }) => {
  const file = positionals[0] ?? '';
  const config = loadConfig();
  // Opened before the store is touched: a missing or unreadable file fails at once, in its own words.
  const handle = await open(file, 'r');
  const stat = await handle.stat();
  if (!stat.isFile()) {
    await handle.close();
    throw new CliFailure(`${file} is not a file`);
  }
  const size = stat.size;
  const input = handle.createReadStream();
  const store = await openEventStore(config);
  const started = Date.now();
  try {
    const bar = progressBar('import');
    let count: number;
    try {
      const lines = createInterface({ input, crlfDelay: Infinity });
      // The embedded store commits pipelined appends in order; a server gets them one at a time.
      const window = config.eventStoreUrl === undefined ? 256 : 1;
      count = await importLog(store, lines, { window, onProgress: (n) => bar.update(size === 0 ? 1 : input.bytesRead / size, n) });
    } catch (e) {
      if (e instanceof Error && e.name !== 'ImportError' && (await store.headPosition()) !== undefined) {
        e.message += '; the events before it are stored: import again into an empty store';
      }
      throw e;
    } finally {
      bar.stop();
      input.destroy();
    }
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(`imported ${count} events from ${file} in ${seconds.toFixed(1)} s (${rate(count, seconds)} events/s)\n`);

    const generations = await openReadModelGenerations(config);
    try {
      const result = await rebuildWithProgress(store, generations, 'read models');
      process.stderr.write(
        `built the read models from ${result.events} events in ${result.seconds.toFixed(1)} s (${rate(result.events, result.seconds)} events/s)\n`,
      );
      await dropReplaced(generations, result);
    } catch (e) {
      throw new CliFailure(`the log is imported but building the read models failed (run npm run replay): ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      await generations.close();
    }
  } finally {
    await store.close();
  }
});
