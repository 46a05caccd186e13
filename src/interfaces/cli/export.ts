import { open } from 'node:fs/promises';
import { once } from 'node:events';
import { exportLog } from '../../application/transfer/export-log.js';
import { loadConfig } from '../../infrastructure/config/config.js';
import { openEventStore } from '../../infrastructure/stores/open-event-store.js';
import { defineCli, UsageError } from './cli-args.js';
import { fractionOf, progressBar } from './progress.js';
import { runCli } from './run-cli.js';

const spec = defineCli({
  name: 'export',
  synopsis: ['npm run export -- --out FILE'],
  description: 'Writes the whole log as newline-delimited JSON (one event a line, in log order) to FILE.',
  options: { out: { type: 'string', value: 'FILE', help: 'the file to write (created or truncated)' } },
});

runCli(spec, async ({ values }) => {
  const file = values.out;
  if (file === undefined) throw new UsageError('--out FILE is required');
  const config = loadConfig();
  // Opened before the store is touched: an unwritable path fails at once, with its own words.
  const handle = await open(file, 'w');
  const out = handle.createWriteStream();
  let writeError: Error | undefined;
  out.on('error', (e) => {
    writeError ??= e;
  });
  // A log written before personal data was sealed may be exported as it is (to import it elsewhere, which seals it).
  const store = await openEventStore(config, undefined, { allowUnsealed: true });
  const started = Date.now();
  const bar = progressBar('export');
  try {
    const head = await store.headPosition();
    const total = await exportLog(
      store,
      async (line) => {
        if (writeError !== undefined) throw writeError;
        // `once` rejects if the stream fails meanwhile.
        if (!out.write(line)) await once(out, 'drain');
      },
      {
        onPage: (events, last) => bar.update(fractionOf(last, head), events),
      },
    );
    bar.stop();
    out.end();
    await once(out, 'finish');
    if (writeError !== undefined) throw writeError;
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(`exported ${total} events to ${file} in ${seconds.toFixed(1)} s (${Math.round(total / Math.max(seconds, 0.001))} events/s)\n`);
  } finally {
    bar.stop();
    if (!out.closed) out.destroy();
    await store.close();
  }
});
