import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { exportLog } from '../../application/transfer/export-log.js';
import { loadConfig } from '../../infrastructure/config/config.js';
import { openEventStore } from '../../infrastructure/stores/open-event-store.js';

/** `npm run export -- --out FILE`: the whole log as newline-delimited JSON. */
const main = async (): Promise<void> => {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  if (values.out === undefined) {
    process.stderr.write('usage: npm run export -- --out FILE\n');
    process.exit(2);
  }
  const store = await openEventStore(loadConfig());
  const out = createWriteStream(values.out);
  const started = Date.now();
  try {
    const count = await exportLog(store, async (line) => {
      if (!out.write(line)) await once(out, 'drain');
    });
    out.end();
    await once(out, 'finish');
    process.stderr.write(`exported ${count} events to ${values.out} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } finally {
    await store.close();
  }
};

main().catch((err: unknown) => {
  process.stderr.write(`export failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
