import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { sealedKeyId } from '../../application/erasure/field-cipher.js';
import type { KeyStore } from '../../application/erasure/key-store.js';
import { sealLegacyLine } from '../../application/erasure/legacy.js';
import { importLog } from '../../application/transfer/import-log.js';
import { lineData } from '../../application/transfer/log-line.js';
import { domainEvents } from '../../domain/events.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { loadConfig } from '../../infrastructure/config/config.js';
import { openEventStore } from '../../infrastructure/stores/open-event-store.js';
import { openKeys } from '../../infrastructure/stores/open-keys.js';
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
    'then builds the read models from it, so the service, verify and audit answer at once. ' +
    'Personal data is kept sealed as exported (the keys must be this DATA_DIR’s or MONGODB_URL’s, under the same DATA_KEY); an export written before it was sealed is sealed on the way in.',
  options: {},
  positionals: { min: 1, max: 1, names: 'FILE' },
});

const rate = (events: number, seconds: number): number => Math.round(events / Math.max(seconds, 0.001));

/** The key ids an event's sealed personal fields name. */
const keyIdsIn = (type: string, data: JsonObject): string[] =>
  (domainEvents.spec(type)?.personal ?? []).flatMap((f) => {
    const value = data[f.field];
    const keyId = typeof value === 'string' ? sealedKeyId(value) : undefined;
    return keyId === undefined ? [] : [keyId];
  });

/** How many of these key ids the store does not have. */
const absentKeys = async (store: KeyStore, keyIds: ReadonlySet<string>): Promise<number> => {
  const ids = [...keyIds];
  let found = 0;
  for (let i = 0; i < ids.length; i += 1000) found += (await store.keysByIds(ids.slice(i, i + 1000))).size;
  return ids.length - found;
};

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
  const keys = await openKeys(config);
  const named = new Set<string>();
  const sealLegacy = sealLegacyLine(keys.personal, keys.usernames);
  const started = Date.now();
  try {
    const bar = progressBar('import');
    let count: number;
    try {
      const lines = createInterface({ input, crlfDelay: Infinity });
      // The embedded store commits pipelined appends in order; a server gets them one at a time.
      const window = config.eventStoreUrl === undefined ? 256 : 1;
      count = await importLog(store, lines, {
        window,
        onProgress: (n) => bar.update(size === 0 ? 1 : input.bytesRead / size, n),
        // An export of a log written before personal data was sealed is sealed on the way in.
        upgrade: async (line) => {
          const sealed = await sealLegacy(line);
          for (const keyId of keyIdsIn(sealed.type, lineData(sealed))) named.add(keyId);
          return sealed;
        },
      });
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
    const absent = await absentKeys(keys.store, named);
    if (absent > 0)
      process.stderr.write(
        `${absent} of the ${named.size} keys the log's personal data is sealed with are not in the key store: that data reads as erased ` +
          `(erased users' keys are gone for good; for the others, copy keys.db from the exporting DATA_DIR and set the same DATA_KEY, then import again)\n`,
      );

    const generations = await openReadModelGenerations(config);
    try {
      const result = await rebuildWithProgress(store, keys.personal, generations, 'read models');
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
    await keys.close();
    await store.close();
  }
});
