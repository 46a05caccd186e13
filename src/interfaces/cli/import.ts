import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { importLog } from '../../application/transfer/import-log.js';
import { loadConfig } from '../../infrastructure/config/config.js';
import { openEventStore } from '../../infrastructure/stores/open-event-store.js';

/** `npm run import -- FILE`: loads an exported log into an empty store (embedded or EventStoreDB). */
const main = async (): Promise<void> => {
  const file = process.argv[2];
  if (file === undefined) {
    process.stderr.write('usage: npm run import -- FILE\n');
    process.exit(2);
  }
  const config = loadConfig();
  const store = await openEventStore(config);
  const started = Date.now();
  try {
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    // The embedded store commits pipelined appends in order; a server gets them one at a time.
    const window = config.eventStoreUrl === undefined ? 256 : 1;
    const count = await importLog(store, lines, { window, onProgress: (n) => process.stderr.write(`\rimported ${n} events`) });
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(`\nimported ${count} events from ${file} in ${seconds.toFixed(1)} s (${Math.round(count / Math.max(seconds, 0.001))} events/s)\n`);
  } finally {
    await store.close();
  }
};

main().catch((err: unknown) => {
  process.stderr.write(`\nimport failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
