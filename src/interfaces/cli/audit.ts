import { describeEvent, usersInvolved } from '../../application/audit/describe-event.js';
import { fromRecorded } from '../../application/events/event-serde.js';
import type { EventStore, Position, RecordedEvent } from '../../application/ports/event-store.js';
import { formatPosition } from '../../application/ports/position.js';
import { AggregateRepository } from '../../application/commands/aggregate-repository.js';
import { ProfileDirectory } from '../../application/broadcast/profile-directory.js';
import { chatStream } from '../../domain/chat/chat.js';
import { loadConfig } from '../../infrastructure/config/config.js';
import { openEventStore } from '../../infrastructure/stores/open-event-store.js';
import { openReadModels } from '../../infrastructure/stores/open-read-models.js';
import { CliFailure, defineCli, UsageError } from './cli-args.js';
import { runCli } from './run-cli.js';

const printTimeline = async (events: readonly RecordedEvent[], profiles: ProfileDirectory): Promise<void> => {
  const ids = new Set<string>();
  const decoded = events.map((r) => ({ r, e: fromRecorded(r) }));
  for (const { r, e } of decoded) {
    if (r.metadata.userId !== undefined) ids.add(r.metadata.userId);
    if (e !== undefined) for (const id of usersInvolved(e)) ids.add(id);
  }
  const names = await profiles.resolve([...ids]);
  const u = (id: string) => names(id).username;
  for (const { r, e } of decoded) {
    const actor = r.metadata.userId === undefined ? 'system' : u(r.metadata.userId);
    const what = e === undefined ? `(unknown event ${r.type})` : describeEvent(e, u);
    process.stdout.write(`${r.metadata.timestamp}  @${formatPosition(r.position).padEnd(8)} ${r.type.padEnd(26)} ${actor.padEnd(16)} ${what}\n`);
  }
};

/** Every event involving a user: a scan of the log, as befits an occasional audit. */
const eventsOfUser = async (store: EventStore, userId: string): Promise<RecordedEvent[]> => {
  const found: RecordedEvent[] = [];
  let after: Position | undefined;
  for (;;) {
    const page = await store.readAll({ ...(after === undefined ? {} : { after }), maxCount: 5000 });
    for (const r of page) {
      const e = fromRecorded(r);
      if (r.metadata.userId === userId || (e !== undefined && usersInvolved(e).includes(userId))) found.push(r);
    }
    const last = page[page.length - 1];
    if (last === undefined || page.length < 5000) return found;
    after = last.position;
  }
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
  try {
    const profiles = new ProfileDirectory(new AggregateRepository(store));
    if (kind === 'chat') {
      const events = await store.readStream(chatStream(subject));
      if (events.length === 0) throw new CliFailure(`no chat ${subject} in the log`);
      await printTimeline(events, profiles);
    } else {
      const readModels = await openReadModels(config);
      const user = await readModels.userByUsername(subject).finally(() => readModels.close());
      if (user === undefined) throw new CliFailure(`no user ${subject}`);
      await printTimeline(await eventsOfUser(store, user.userId), profiles);
    }
  } finally {
    await store.close();
  }
});
