import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { aggregatesOf, type Aggregates } from '../../src/application/aggregates/aggregates.js';
import { AggregateRepository } from '../../src/application/aggregates/repository.js';
import { blocksStream } from '../../src/domain/blocks/blocks.js';
import { chatStream } from '../../src/domain/chat/chat.js';
import { isRefusal } from '../../src/domain/shared/decision.js';
import { SqliteEventStore } from '../../src/infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { memoryKeys } from '../support/memory-keys.js';

const meta = { correlationId: 'test', timestamp: '2026-01-01T00:00:00.000Z' };
const CHAT = '11111111-1111-4111-8111-111111111111';
const { personal } = memoryKeys();

describe('AggregateRepository', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'repo-test-'));
    store = SqliteEventStore.open({ path: join(dir, 'events.db'), synchronous: 'NORMAL' });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const create = (repo: Aggregates) =>
    repo.chat.execute(chatStream(CHAT), { kind: 'CreateChat', chatId: CHAT, initiatorId: 'a', peerId: 'b', blocked: false, at: meta.timestamp }, meta);

  const send = (repo: Aggregates, i: number) =>
    repo.chat.execute(
      chatStream(CHAT),
      {
        kind: 'SendMessage',
        chatId: CHAT,
        senderId: i % 2 === 0 ? 'a' : 'b',
        messageId: `m-${i}`,
        content: `hello ${i}`,
        clientTimestamp: meta.timestamp,
        blocked: false,
        at: meta.timestamp,
      },
      meta,
    );

  it('retries on conflict so that concurrent commands from two nodes all land, in one order', async () => {
    // Two repositories with their own caches over one store act as two nodes.
    const nodeA = aggregatesOf(new AggregateRepository(store, personal));
    const nodeB = aggregatesOf(new AggregateRepository(store, personal));
    await create(nodeA);
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => send(i % 2 === 0 ? nodeA : nodeB, i)));
    expect(results.filter(isRefusal)).to.deep.equal([]);
    const events = await store.readStream(chatStream(CHAT));
    const seqs = events.filter((e) => e.type === 'MessageSent').map((e) => e.data['seq']);
    expect(seqs).to.deep.equal(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it("sees another node's appends before deciding (the cache is caught up, never trusted)", async () => {
    const nodeA = aggregatesOf(new AggregateRepository(store, personal));
    const nodeB = aggregatesOf(new AggregateRepository(store, personal));
    await create(nodeA);
    await send(nodeA, 0);
    await nodeB.chat.load(chatStream(CHAT));
    await send(nodeA, 1);
    const { state, revision } = await nodeB.chat.load(chatStream(CHAT));
    expect(revision).to.equal(2);
    expect(state.exists && state.messageCount).to.equal(2);
  });

  describe("the store's known-current hint (two processes on one file)", () => {
    let other: SqliteEventStore;
    const subs: { close(): Promise<void> }[] = [];
    beforeEach(() => {
      // A second store instance on the same file is another process; subscriptions start the pollers.
      other = SqliteEventStore.open({ path: join(dir, 'events.db'), synchronous: 'NORMAL', pollIntervalMs: 60_000 });
      subs.push(store.subscribeAll(), other.subscribeAll());
    });
    afterEach(async () => {
      for (const s of subs.splice(0)) await s.close();
      await other.close();
    });

    const block = (repo: Aggregates, kind: 'BlockUser' | 'UnblockUser') =>
      repo.blocks.execute(blocksStream('a'), { kind, userId: 'a', targetId: 'b', at: meta.timestamp }, meta);

    it('skips the catch-up read of a cached stream whose head this store wrote', async () => {
      const repo = aggregatesOf(new AggregateRepository(store, personal));
      await create(repo);
      await send(repo, 0);
      expect(store.isKnownCurrent(chatStream(CHAT), 1)).to.equal(true);
      let reads = 0;
      const readStream = store.readStream.bind(store);
      store.readStream = (...args) => {
        reads++;
        return readStream(...args);
      };
      await send(repo, 1);
      const { revision, verified } = await repo.chat.load(chatStream(CHAT));
      expect(reads).to.equal(0);
      expect([revision, verified]).to.deep.equal([2, false]);
    });

    it('skips the read of a stream known not to exist, and sees it once another process creates it', async () => {
      const nodeA = aggregatesOf(new AggregateRepository(store, personal));
      const nodeB = aggregatesOf(new AggregateRepository(other, personal));
      expect((await nodeA.blocks.load(blocksStream('a'))).revision).to.equal(-1);
      const again = await nodeA.blocks.load(blocksStream('a'));
      expect([again.revision, again.verified]).to.deep.equal([-1, false]);
      await block(nodeB, 'BlockUser');
      (store as unknown as { poll(): void }).poll();
      const seen = await nodeA.blocks.load(blocksStream('a'));
      expect([seen.revision, seen.verified, seen.state.blocked.has('b')]).to.deep.equal([0, true, true]);
    });

    it('a no-op decided on a stale cached state is decided again on the stored one', async () => {
      const nodeA = aggregatesOf(new AggregateRepository(store, personal));
      const nodeB = aggregatesOf(new AggregateRepository(other, personal));
      await block(nodeA, 'BlockUser');
      await block(nodeB, 'UnblockUser'); // not yet polled by nodeA's store: its cache says "blocked"
      expect(store.isKnownCurrent(blocksStream('a'), 0)).to.equal(true);
      const again = await block(nodeA, 'BlockUser');
      expect(!isRefusal(again) && again.events.map((e) => e.type)).to.deep.equal(['UserBlocked']);
      const types = (await store.readStream(blocksStream('a'))).map((e) => e.type);
      expect(types).to.deep.equal(['UserBlocked', 'UserUnblocked', 'UserBlocked']);
    });

    it('an append decided on a stale cached state conflicts and is retried on the stored one', async () => {
      const nodeA = aggregatesOf(new AggregateRepository(store, personal));
      const nodeB = aggregatesOf(new AggregateRepository(other, personal));
      await create(nodeA);
      await send(nodeA, 0);
      await nodeB.chat.load(chatStream(CHAT));
      await send(nodeB, 1);
      await send(nodeA, 2);
      const seqs = (await store.readStream(chatStream(CHAT))).filter((e) => e.type === 'MessageSent').map((e) => e.data['seq']);
      expect(seqs).to.deep.equal([1, 2, 3]);
    });

    it("learns another process's appends even when its own later commits passed them", async () => {
      const nodeA = aggregatesOf(new AggregateRepository(store, personal));
      const nodeB = aggregatesOf(new AggregateRepository(other, personal));
      await block(nodeA, 'BlockUser');
      await block(nodeB, 'UnblockUser');
      await create(nodeA); // a later position of A's own: A's head moves past B's append
      (store as unknown as { poll(): void }).poll();
      expect(store.isKnownCurrent(blocksStream('a'), 0)).to.equal(false);
      expect(store.isKnownCurrent(blocksStream('a'), 1)).to.equal(true);
    });

    it("claims nothing without a poller (another process's appends would go unseen)", async () => {
      const lone = SqliteEventStore.open({ path: join(dir, 'events.db'), synchronous: 'NORMAL' });
      try {
        await create(aggregatesOf(new AggregateRepository(lone, personal)));
        expect(lone.isKnownCurrent(chatStream(CHAT), 0)).to.equal(false);
      } finally {
        await lone.close();
      }
    });
  });

  it('returns refusals as values and appends nothing', async () => {
    const repo = aggregatesOf(new AggregateRepository(store, personal));
    const refused = await send(repo, 0);
    expect(isRefusal(refused) && refused.code).to.equal('not_a_member');
    expect(await store.readStream(chatStream(CHAT))).to.have.length(0);
  });
});
