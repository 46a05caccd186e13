import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sealLegacyEvent } from '../../application/erasure/legacy.js';
import { loadConfig } from '../../infrastructure/config/config.js';
import { migratePersonalData } from '../../infrastructure/eventstore/sqlite/migrate-personal-data.js';
import { EVENTS_DB_FILE } from '../../infrastructure/stores/open-event-store.js';
import { openKeys } from '../../infrastructure/stores/open-keys.js';
import { CliFailure, defineCli } from './cli-args.js';
import { progressBar } from './progress.js';
import { runCli } from './run-cli.js';

const spec = defineCli({
  name: 'migrate',
  synopsis: ['npm run migrate'],
  description:
    'Once, with every node stopped, on an embedded log (DATA_DIR/events.db) written before personal data was encrypted: seals every username, ' +
    'nickname, avatar and message content in place with its user’s key and renames the username streams to keyed hashes, then rewrites the file ' +
    'so that no copy in clear is left in it or in its WAL. Safe to run again (a log already migrated is left alone). ' +
    'An EventStoreDB log is migrated by `npm run export` and `npm run import` into an empty database instead.',
  options: {},
});

runCli(spec, async () => {
  const config = loadConfig();
  if (config.eventStoreUrl !== undefined)
    throw new CliFailure('EventStoreDB events cannot be changed in place: export the log and import it into an empty database (import seals it)');
  const path = join(config.dataDir, EVENTS_DB_FILE);
  if (!existsSync(path)) throw new CliFailure(`no log at ${path}`);
  const keys = await openKeys(config);
  const bar = progressBar('migrate');
  const started = Date.now();
  try {
    const result = await migratePersonalData(path, (event) => sealLegacyEvent(keys.personal, keys.usernames, event), {
      onPage: (events, total) => bar.update(total === 0 ? 1 : events / total, events),
    });
    bar.stop();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      result.ran
        ? `sealed the personal data of ${result.rewritten} of ${result.events} events in ${seconds} s; ${path} is rewritten and marked sealed\n`
        : `${path} is already sealed: nothing to do\n`,
    );
  } finally {
    bar.stop();
    await keys.close();
  }
});
