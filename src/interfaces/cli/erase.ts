import { aggregatesOf } from '../../application/aggregates/aggregates.js';
import { AggregateRepository } from '../../application/aggregates/repository.js';
import { eraseUser } from '../../application/erasure/erase-user.js';
import { newId } from '../../application/shared/ids.js';
import { loadConfig } from '../../infrastructure/config/config.js';
import { openEventStore } from '../../infrastructure/stores/open-event-store.js';
import { openKeys } from '../../infrastructure/stores/open-keys.js';
import { CliFailure, defineCli, UsageError } from './cli-args.js';
import { runCli } from './run-cli.js';

const spec = defineCli({
  name: 'erase',
  synopsis: ['npm run erase -- USER-ID'],
  description:
    'Erases a user (the `sub` of their tokens): stores the request, destroys every key of theirs, stores that they were erased. ' +
    'Their username, nickname, avatar and messages can then no longer be read anywhere (log, read models, exports, backups of the log); ' +
    'running services show them as erased. Exit 0 when erased or already erased, 1 for an unknown user id.',
  options: {},
  positionals: { min: 1, max: 1, names: 'USER-ID' },
});

runCli(spec, async ({ positionals }) => {
  const userId = positionals[0] ?? '';
  if (userId === '') throw new UsageError('USER-ID must not be empty');
  const config = loadConfig();
  const store = await openEventStore(config);
  const keys = await openKeys(config);
  try {
    const aggregates = aggregatesOf(new AggregateRepository(store, keys.personal));
    const outcome = await eraseUser({ user: aggregates.user, keys: keys.store, personal: keys.personal, now: () => new Date(), newId }, userId);
    switch (outcome._tag) {
      case 'UnknownUser':
        throw new CliFailure(`no user ${userId} in the log`);
      case 'AlreadyErased':
        process.stdout.write(
          `${userId} was already erased${outcome.keysDestroyed > 0 ? ` (${outcome.keysDestroyed} key${outcome.keysDestroyed === 1 ? '' : 's'} of theirs found again and destroyed)` : ''}\n`,
        );
        return 0;
      case 'Erased':
        process.stdout.write(`${userId} is erased: shown as ${keys.personal.aliasOf(userId)} from now on\n`);
        return 0;
    }
  } finally {
    await keys.close();
    await store.close();
  }
});
