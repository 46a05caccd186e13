import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { AggregateRepository, type RepositoryOptions } from '../../src/application/aggregates/repository.js';
import type { EventStore, ReadStreamOptions, RecordedEvent } from '../../src/application/ports/event-store.js';
import type { Snapshot, SnapshotStore } from '../../src/application/ports/snapshot-store.js';
import { chatSnapshot } from '../../src/application/aggregates/chat-snapshot.js';
import { blocksDecider, blocksStream } from '../../src/domain/blocks/blocks.js';
import { chatDecider, chatStream } from '../../src/domain/chat/chat.js';
import type { ChatCommand } from '../../src/domain/chat/commands.js';
import type { ChatState } from '../../src/domain/chat/state.js';
import { isRefusal } from '../../src/domain/shared/decision.js';
import { SqliteEventStore } from '../../src/infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { SqliteSnapshotStore } from '../../src/infrastructure/snapshots/sqlite-snapshot-store.js';
import { memoryKeys } from '../support/memory-keys.js';

const { personal } = memoryKeys();

const meta = { correlationId: 'test', timestamp: '2026-01-01T00:00:00.000Z' };
const CHAT = '22222222-2222-4222-8222-222222222222';
const STREAM = chatStream(CHAT);
const EVERY = 10;

/** An EventStore that counts the events its stream reads return. */
const counting = (inner: EventStore): EventStore & { eventsRead: number; reads: number } => {
  const counted = Object.create(inner) as EventStore & { eventsRead: number; reads: number };
  counted.eventsRead = 0;
  counted.reads = 0;
  counted.readStream = async (streamId: string, options?: ReadStreamOptions): Promise<readonly RecordedEvent[]> => {
    const page = await inner.readStream(streamId, options);
    counted.reads++;
    counted.eventsRead += page.length;
    return page;
  };
  return counted;
};

const logged = () => {
  const lines: { msg: string; level: number }[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as { msg: string; level: number });
        done();
      },
    }),
  );
  return { logger, lines };
};

/** The state as its snapshot encodes it: immutable maps compared by content and order. */
const encoded = (s: ChatState) => chatSnapshot.encode(s);

/** The chat decider as the service runs it: with its snapshot codec. */
const chatAggregate = { ...chatDecider, snapshot: chatSnapshot };

describe('AggregateRepository with snapshots', () => {
  let dir: string;
  let store: SqliteEventStore;
  let snapshots: SqliteSnapshotStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'repo-snap-'));
    store = SqliteEventStore.open({ path: join(dir, 'events.db'), synchronous: 'NORMAL' });
    snapshots = SqliteSnapshotStore.open({ path: join(dir, 'snapshots.db') });
  });
  afterEach(async () => {
    await snapshots.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const repoOn = (events: EventStore, options: Partial<RepositoryOptions> = {}) =>
    new AggregateRepository(events, personal, { snapshots, snapshotEvery: EVERY, ...options });

  const send = (repo: AggregateRepository, i: number) =>
    repo.aggregate(chatAggregate).execute(
      STREAM,
      {
        kind: 'SendMessage',
        chatId: CHAT,
        senderId: i % 2 === 0 ? 'a' : 'b',
        messageId: `m-${i}`,
        content: `hello ${i}`,
        clientTimestamp: meta.timestamp,
        clientMsgId: `c-${i}`,
        blocked: false,
        at: meta.timestamp,
      },
      meta,
    );

  /** The chat created, then `messages` sent: revisions 0..messages. */
  const seed = async (repo: AggregateRepository, messages: number) => {
    const create: ChatCommand = { kind: 'CreateChat', chatId: CHAT, initiatorId: 'a', peerId: 'b', blocked: false, at: meta.timestamp };
    await repo.aggregate(chatAggregate).execute(STREAM, create, meta);
    for (let i = 1; i <= messages; i++) expect(isRefusal(await send(repo, i))).to.equal(false);
    await repo.flushSnapshots();
  };

  /** The state replayed from the whole log, without snapshots. */
  const replayed = async () => (await new AggregateRepository(store, personal).aggregate(chatDecider).load(STREAM)).state;

  it('writes a snapshot every N events and loads from it, reading only the events after it', async () => {
    await seed(repoOn(store), 25);
    // Revisions 0..25: snapshots at 9 and 19, the last one kept.
    expect(await snapshots.load(STREAM)).to.include({ revision: 19, version: chatSnapshot.version });
    const events = counting(store);
    const cold = repoOn(events);
    const { state, revision } = await cold.aggregate(chatAggregate).load(STREAM);
    expect(revision).to.equal(25);
    // The snapshot's own event (checked to be the one it was taken after) and the 6 after it.
    expect(events.eventsRead).to.equal(7);
    expect(encoded(state)).to.deep.equal(encoded(await replayed()));
    // And it decides on it as on the replayed state.
    const next = await send(cold, 26);
    expect(!isRefusal(next) && next.events.map((e) => e.type === 'MessageSent' && e.data.seq)).to.deep.equal([26]);
  });

  it('rebuilds a deleted snapshot: the next cold load replays the stream and writes one again', async () => {
    await seed(repoOn(store), 25);
    await snapshots.delete(STREAM);
    const events = counting(store);
    const cold = repoOn(events);
    const { state } = await cold.aggregate(chatAggregate).load(STREAM);
    expect(events.eventsRead).to.equal(26);
    expect(encoded(state)).to.deep.equal(encoded(await replayed()));
    await cold.flushSnapshots();
    expect(await snapshots.load(STREAM)).to.include({ revision: 25, version: chatSnapshot.version });
  });

  /** `read`: events the cold load reads (the whole stream, plus what it read from the snapshot on before it saw the mismatch). */
  const ignoredAndReplaced = async (stored: Omit<Snapshot, 'streamId' | 'eventId'> & { eventId?: string }, read = 26) => {
    await seed(repoOn(store), 25);
    const current = await snapshots.load(STREAM);
    await snapshots.save({ streamId: STREAM, eventId: current?.eventId ?? '', ...stored });
    const events = counting(store);
    const { logger, lines } = logged();
    const cold = repoOn(events, { logger });
    const { state, revision } = await cold.aggregate(chatAggregate).load(STREAM);
    expect([revision, events.eventsRead]).to.deep.equal([25, read]);
    expect(encoded(state)).to.deep.equal(encoded(await replayed()));
    await cold.flushSnapshots();
    const replaced = await snapshots.load(STREAM);
    expect(replaced).to.include({ revision: 25, version: chatSnapshot.version });
    expect(chatSnapshot.decode(replaced?.state)).to.not.equal(undefined);
    return lines;
  };

  it('ignores a snapshot of another decider version, and replaces it', async () => {
    // A state that would decode, under another version: the version alone rules it out.
    const lines = await ignoredAndReplaced({ version: chatSnapshot.version + 1, revision: 19, state: chatSnapshot.encode(await replayed()) });
    expect(lines.map((l) => l.msg)).to.include('snapshot of another version ignored');
  });

  it('ignores a corrupt snapshot (a state its codec does not decode), and replaces it', async () => {
    const lines = await ignoredAndReplaced({ version: chatSnapshot.version, revision: 19, state: { exists: 'yes', messageCount: -1 } });
    expect(lines.map((l) => l.msg)).to.include('unreadable snapshot ignored: the stream is replayed');
  });

  it('ignores a snapshot taken after another event than the stream holds at its revision (another log)', async () => {
    await ignoredAndReplaced({ version: chatSnapshot.version, revision: 19, eventId: 'not-the-event', state: chatSnapshot.encode({ exists: false }) }, 7 + 26);
  });

  it('ignores a snapshot ahead of the stream', async () => {
    await ignoredAndReplaced({ version: chatSnapshot.version, revision: 400, state: chatSnapshot.encode({ exists: false }) });
  });

  it('never fails a command when a snapshot cannot be written or read; it logs', async () => {
    const broken: SnapshotStore = {
      load: () => Promise.reject(new Error('snapshots down')),
      save: () => Promise.reject(new Error('disk full')),
      delete: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
    const { logger, lines } = logged();
    const repo = new AggregateRepository(store, personal, { snapshots: broken, snapshotEvery: EVERY, logger });
    await seed(repo, 25);
    const cold = new AggregateRepository(store, personal, { snapshots: broken, snapshotEvery: EVERY, logger });
    const next = await send(cold, 26);
    expect(isRefusal(next)).to.equal(false);
    await cold.flushSnapshots();
    const messages = lines.map((l) => l.msg);
    expect(messages.filter((m) => m === 'could not write a snapshot: loads replay from the previous one')).to.have.length(3); // at 9, 19, and 26 on the cold node
    expect(messages).to.include('could not read a snapshot: the stream is replayed');
    expect((await store.readStream(STREAM)).length).to.equal(27);
  });

  it('takes no snapshot of a decider that does not declare one', async () => {
    const repo = repoOn(store);
    const block = (i: number) =>
      repo
        .aggregate(blocksDecider)
        .execute(blocksStream('a'), { kind: i % 2 === 0 ? 'BlockUser' : 'UnblockUser', userId: 'a', targetId: 'b', at: meta.timestamp }, meta);
    for (let i = 0; i < 2 * EVERY; i++) await block(i);
    await repo.flushSnapshots();
    expect(await snapshots.load(blocksStream('a'))).to.equal(undefined);
  });
});

describe('AggregateRepository cache bounded by size', () => {
  let dir: string;
  let store: SqliteEventStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'repo-cache-'));
    store = SqliteEventStore.open({ path: join(dir, 'events.db'), synchronous: 'NORMAL' });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("evicts by the deciders' size estimates: a large state pushes out many small ones, and more small ones push it out", async () => {
    const events = counting(store);
    const repo = new AggregateRepository(events, personal, { cacheBytes: 20_000 });
    const create: ChatCommand = { kind: 'CreateChat', chatId: CHAT, initiatorId: 'a', peerId: 'b', blocked: false, at: meta.timestamp };
    await repo.aggregate(chatDecider).execute(STREAM, create, meta);
    for (let i = 0; i < 40; i++) {
      const command: ChatCommand = {
        kind: 'SendMessage',
        chatId: CHAT,
        senderId: 'a',
        messageId: `m-${i}`,
        content: 'x',
        clientTimestamp: meta.timestamp,
        clientMsgId: `c-${i}`,
        blocked: false,
        at: meta.timestamp,
      };
      await repo.aggregate(chatDecider).execute(STREAM, command, meta);
    }
    const chatBytes = chatDecider.sizeOf?.((await repo.aggregate(chatDecider).load(STREAM)).state) ?? 0;
    const blockBytes = blocksDecider.sizeOf?.(blocksDecider.initialState) ?? 0;
    expect(chatBytes).to.be.above(10_000).and.below(20_000);
    expect(repo.cached.bytes).to.equal(chatBytes);

    // Small states fill the rest; the chat, least recently used, goes once they need its room.
    const fit = Math.floor((20_000 - chatBytes) / blockBytes);
    for (let i = 0; i < fit; i++) await repo.aggregate(blocksDecider).load(blocksStream(`u${i}`));
    expect(repo.cached).to.deep.equal({ entries: fit + 1, bytes: chatBytes + fit * blockBytes });
    events.eventsRead = 0;
    await repo.aggregate(chatDecider).load(STREAM);
    expect(events.eventsRead, 'still cached: caught up from its revision').to.equal(0);

    for (let i = 0; i < fit; i++) await repo.aggregate(blocksDecider).load(blocksStream(`u${i}`));
    for (let i = fit; i < fit + 5; i++) await repo.aggregate(blocksDecider).load(blocksStream(`u${i}`));
    expect(repo.cached.bytes).to.be.at.most(20_000);
    events.eventsRead = 0;
    await repo.aggregate(chatDecider).load(STREAM);
    expect(events.eventsRead, 'evicted: replayed').to.equal(41);
    // Back in, it pushed out as many small states as its size needs.
    expect(repo.cached.bytes).to.be.at.most(20_000);
    expect(repo.cached.entries).to.be.below(fit + 5 + 1);
  });
});
