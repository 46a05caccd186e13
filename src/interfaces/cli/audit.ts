import { aggregatesOf } from '../../application/aggregates/aggregates.js';
import { AggregateRepository } from '../../application/aggregates/repository.js';
import { usersInvolved } from '../../application/audit/describe-event.js';
import { timelineOf } from '../../application/audit/timeline.js';
import { LogProcessor } from '../../application/log/log-processor.js';
import type { Stored } from '../../application/log/stored.js';
import { readStreamOf } from '../../application/log/stream-reader.js';
import { ProfileDirectory } from '../../application/users/profile-directory.js';
import { chatStream } from '../../domain/chat/chat.js';
import { chatEvents } from '../../domain/chat/events.js';
import { createLogger } from '../../infrastructure/logging/logger.js';
import { loadConfig } from '../../infrastructure/config/config.js';
import { openEventStore } from '../../infrastructure/stores/open-event-store.js';
import { openKeys } from '../../infrastructure/stores/open-keys.js';
import { openReadModels } from '../../infrastructure/stores/open-read-models.js';
import { CliFailure, defineCli, UsageError } from './cli-args.js';
import { runCli } from './run-cli.js';

/** Every event involving a user: a scan of the log, as befits an occasional audit. */
const eventsOfUser = async (log: LogProcessor, userId: string): Promise<Stored[]> => {
  const found: Stored[] = [];
  for await (const page of log.pages({ pageSize: 5000 }))
    for (const s of page.events) if (s.recorded.metadata.userId === userId || usersInvolved(s.event).includes(userId)) found.push(s);
  return found;
};

const spec = defineCli({
  name: 'audit',
  synopsis: ['npm run audit -- chat CHAT-ID', 'npm run audit -- user USERNAME'],
  description: "Prints a readable timeline: a chat's events, or every event involving a user. Exit 1 if there is no such chat or user.",
  options: {},
  positionals: { min: 2, max: 2, names: 'chat CHAT-ID or user USERNAME' },
});

runCli(spec, async ({ positionals }) => {
  const [kind, subject = ''] = positionals;
  if (kind !== 'chat' && kind !== 'user') throw new UsageError(`expected chat or user, got ${kind ?? 'nothing'}`);
  const config = loadConfig();
  const store = await openEventStore(config);
  const keys = await openKeys(config);
  try {
    const profiles = new ProfileDirectory(aggregatesOf(new AggregateRepository(store, keys.personal)), keys.usernames);
    const print = async (events: readonly Stored[]) => {
      for (const line of await timelineOf(events, profiles)) process.stdout.write(`${line}\n`);
    };
    if (kind === 'chat') {
      const stream = await readStreamOf(store, keys.personal, chatEvents, chatStream(subject));
      if (stream.length === 0) throw new CliFailure(`no chat ${subject} in the log`);
      await print(stream.flatMap(({ event, recorded, opened, erased }) => (event === undefined ? [] : [{ event, recorded, opened, erased }])));
    } else {
      const readModels = await openReadModels(config);
      const user = await readModels.userByUsername(subject).finally(() => readModels.close());
      if (user === undefined) throw new CliFailure(`no user ${subject}`);
      await print(await eventsOfUser(new LogProcessor(store, keys.personal, createLogger('silent')), user.userId));
    }
  } finally {
    await keys.close();
    await store.close();
  }
});
