import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import { AggregateRepository } from '../../src/application/aggregates/repository.js';
import { LogProcessor } from '../../src/application/log/log-processor.js';
import { decodeStored } from '../../src/application/log/stored.js';
import type { RecordedEvent } from '../../src/application/ports/event-store.js';
import { projectBatch } from '../../src/application/read-models/projection.js';
import { ChatCreated, MessageSent } from '../../src/domain/chat/events.js';
import { domainEvents } from '../../src/domain/events.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { importLog } from '../../src/application/transfer/import-log.js';
import { chatDecider, chatStream } from '../../src/domain/chat/chat.js';
import { isRefusal } from '../../src/domain/shared/decision.js';
import { SqliteEventStore } from '../../src/infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { SqliteReadModelStore } from '../../src/infrastructure/readmodel/sqlite/sqlite-read-model-store.js';
import { memoryKeys } from '../support/memory-keys.js';
import { sealLegacyLine } from '../../src/application/erasure/legacy.js';

const { personal, usernames } = memoryKeys();

const FIXTURE = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'log-v1.ndjson');
const CHAT = '3f0c2a1e-5b7d-4c9e-8f10-2a3b4c5d6e7f';
const CUP = '20000000-0000-4000-8000-000000000001';

const fromRecorded = async (recorded: RecordedEvent | undefined) => {
  if (recorded === undefined) return undefined;
  await personal.prepare(domainEvents, [recorded]);
  return decodeStored(domainEvents, recorded, personal)?.event;
};

describe('event versioning: a log written with version-1 events', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'versioning-'));
    store = SqliteEventStore.open({ path: join(dir, 'events.db'), synchronous: 'NORMAL' });
    // Written before personal data was sealed: sealed on the way in, as `npm run import` does.
    await importLog(store, createInterface({ input: createReadStream(FIXTURE) }), { window: 1, upgrade: sealLegacyLine(personal, usernames) });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is stored as written (old shapes, version 1) and upcast to the current shapes on read', async () => {
    const events = await store.readStream(chatStream(CHAT));
    expect(events[0]?.metadata.schemaVersion).to.equal(1);
    expect(events[0]?.data).to.have.property('userA');
    expect(ChatCreated.version).to.be.greaterThan(1);
    const created = await fromRecorded(events[0]);
    expect(created).to.deep.equal({
      type: 'ChatCreated',
      data: { chatId: CHAT, members: ['id-ada', 'id-bob'], createdBy: 'id-ada', at: '2025-01-01T10:01:00.000Z' },
    });
    const sent = await fromRecorded(events[1]);
    expect(sent?.type === 'MessageSent' && sent.data.clientTimestamp).to.equal('2025-01-01T10:02:00.000Z');
    // A v1 announcement excluded nobody but its organizer.
    const [announced] = await store.readStream(`tournament-${CUP}`);
    expect(await fromRecorded(announced)).to.deep.equal({
      type: 'TournamentAnnounced',
      data: { tournamentId: CUP, name: 'Winter Cup', organizerId: 'id-ada', excludedUserIds: [], at: '2025-01-01T10:08:00.000Z' },
    });
  });

  it('replays into read models', async () => {
    const readModels = SqliteReadModelStore.open({ path: ':memory:' });
    for await (const page of new LogProcessor(store, personal, createLogger('silent')).pages())
      await readModels.apply('read-models', projectBatch(page.events));
    const messages = await readModels.messages(CHAT, { limit: 10, offset: 0 });
    expect(messages.count).to.equal(3);
    expect(messages.items.map((m) => [m.content, m.sender, m.is_read, m.is_liked])).to.deep.equal([
      ['a game?', 'ada', false, false],
      ['hi ada', 'bob', false, false],
      ['hello bob', 'ada', true, true],
    ]);
    const previews = await readModels.chatPreviews('id-bob', { limit: 10, offset: 0 });
    expect(previews.items[0]?.unread_messages_count).to.equal(1);
    expect(await readModels.hasNotification('id-bob', CUP), 'the v1 tournament reached bob').to.equal(true);
    expect(await readModels.hasNotification('id-ada', CUP), 'not its organizer').to.equal(false);
    await readModels.close();
  });

  it('rebuilds aggregates that go on deciding, writing the current version', async () => {
    const repo = new AggregateRepository(store, personal);
    const result = await repo.aggregate(chatDecider).execute(
      chatStream(CHAT),
      {
        kind: 'SendMessage',
        chatId: CHAT,
        senderId: 'id-bob',
        messageId: '10000000-0000-4000-8000-000000000009',
        content: 'sure',
        clientTimestamp: '2026-01-01T00:00:00.000Z',
        blocked: false,
        at: '2026-01-01T00:00:00.000Z',
      },
      { correlationId: 'test', timestamp: '2026-01-01T00:00:00.000Z' },
    );
    expect(isRefusal(result)).to.equal(false);
    const events = await store.readStream(chatStream(CHAT));
    const last = events[events.length - 1];
    expect(last?.data['seq']).to.equal(4);
    expect(last?.metadata.schemaVersion).to.equal(MessageSent.version);
  });
});
