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

const usage = 'usage: npm run audit -- chat <chat-id> | user <username>\n';

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

const main = async (): Promise<void> => {
  const [kind, subject] = process.argv.slice(2);
  if ((kind !== 'chat' && kind !== 'user') || subject === undefined) {
    process.stderr.write(usage);
    process.exit(2);
  }
  const config = loadConfig();
  const store = await openEventStore(config);
  const readModels = await openReadModels(config);
  const profiles = new ProfileDirectory(new AggregateRepository(store));
  try {
    if (kind === 'chat') {
      const events = await store.readStream(chatStream(subject));
      if (events.length === 0) throw new Error(`no chat ${subject}`);
      await printTimeline(events, profiles);
    } else {
      const user = await readModels.userByUsername(subject);
      if (user === undefined) throw new Error(`no user ${subject}`);
      await printTimeline(await eventsOfUser(store, user.userId), profiles);
    }
  } finally {
    await store.close();
    await readModels.close();
  }
};

main().catch((err: unknown) => {
  process.stderr.write(`audit failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
