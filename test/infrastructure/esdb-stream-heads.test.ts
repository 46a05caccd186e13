import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { AggregateRepository } from '../../src/application/aggregates/repository.js';
import { aggregatesOf } from '../../src/application/aggregates/aggregates.js';
import { runAction } from '../../src/application/features.js';
import type { CommandDeps } from '../../src/application/shared/deps.js';
import { chatDecider, chatStream } from '../../src/domain/chat/chat.js';
import { isRefusal } from '../../src/domain/shared/decision.js';
import { EventStoreDBClient } from '@eventstore/db-client';
import { EsdbEventStore, openEsdbEventStore, type EsdbEventStoreOptions } from '../../src/infrastructure/eventstore/esdb/esdb-event-store.js';
import { FakeEsdbServer, type CallCounts } from './fake-esdb-server.js';
import { waitUntil } from '../support/wait.js';
import { memoryKeys } from '../support/memory-keys.js';

const { personal } = memoryKeys();

const meta = { correlationId: 'test', timestamp: '2026-01-01T00:00:00.000Z' };

/**
 * What a command costs in calls to EventStoreDB (counted by the fake server), now that the
 * adapter vouches for stream heads it learnt (isKnownCurrent), and that it stays correct when
 * another node appends or the heads subscription is down.
 */
describe('EventStoreDB adapter: stream heads and the cost of a command', function () {
  this.timeout(20_000);
  let fake: FakeEsdbServer;
  let stores: EsdbEventStore[];
  let chatId: string;

  before(async () => {
    fake = await FakeEsdbServer.start();
  });
  after(() => fake.stop());
  beforeEach(() => {
    stores = [];
    chatId = randomUUID();
    fake.refuseSubscriptions = false;
  });
  afterEach(async () => {
    fake.releaseDeliveries();
    for (const s of stores) await s.close();
  });

  const open = async (options: EsdbEventStoreOptions = {}): Promise<EsdbEventStore> => {
    const store = await openEsdbEventStore(fake.url, { resubscribeMs: { min: 20, max: 100 }, ...options });
    stores.push(store);
    return store;
  };
  /** A node: its store, once its heads subscription vouches for its own append, and a repository. */
  const node = async (options: EsdbEventStoreOptions = {}): Promise<{ store: EsdbEventStore; repo: AggregateRepository }> => {
    const store = await open(options);
    if (options.followStreamHeads !== false) {
      const warm = `warm-${randomUUID()}`;
      await store.append(warm, [event()], 'any');
      await waitUntil(() => store.isKnownCurrent(warm, 0), 10_000, 'the heads subscription never went live');
    }
    return { store, repo: new AggregateRepository(store, personal) };
  };

  const create = (repo: AggregateRepository) =>
    repo
      .aggregate(chatDecider)
      .execute(chatStream(chatId), { kind: 'CreateChat', chatId, initiatorId: 'a', peerId: 'b', blocked: false, at: meta.timestamp }, meta);
  const send = async (repo: AggregateRepository, i: number): Promise<void> => {
    const command = {
      kind: 'SendMessage',
      chatId,
      senderId: i % 2 === 0 ? 'a' : 'b',
      messageId: `m-${i}`,
      content: `hello ${i}`,
      clientTimestamp: meta.timestamp,
      blocked: false,
      at: meta.timestamp,
    } as const;
    const result = await repo.aggregate(chatDecider).execute(chatStream(chatId), command, meta);
    if (isRefusal(result)) throw new Error(`refused: ${result.code}`);
  };
  /** The calls `work` made, as the server counted them. */
  const callsOf = async (work: () => Promise<unknown>): Promise<CallCounts> => {
    const before = fake.callCounts();
    await work();
    const after = fake.callCounts();
    return {
      appends: after.appends - before.appends,
      streamReads: after.streamReads - before.streamReads,
      allReads: after.allReads - before.allReads,
      subscriptions: after.subscriptions - before.subscriptions,
    };
  };
  const onlyCommandCalls = (c: CallCounts) => ({ appends: c.appends, streamReads: c.streamReads });
  const messages = async (store: EsdbEventStore) =>
    (await store.readStream(chatStream(chatId))).filter((e) => e.type === 'MessageSent').map((e) => [e.data['seq'], e.data['messageId']]);

  it('costs one call, the append, for a command on a cached current aggregate', async () => {
    const { repo } = await node();
    await create(repo);
    await send(repo, 0);
    expect(await callsOf(() => send(repo, 1))).to.deep.equal({ appends: 1, streamReads: 0, allReads: 0, subscriptions: 0 });
  });

  it('costs a read and an append without following stream heads (as before)', async () => {
    const { store, repo } = await node({ followStreamHeads: false });
    await create(repo);
    await send(repo, 0);
    expect(store.isKnownCurrent(chatStream(chatId), 1)).to.equal(false);
    expect(await callsOf(() => send(repo, 1))).to.deep.equal({ appends: 1, streamReads: 1, allReads: 0, subscriptions: 0 });
  });

  it('costs one call per new_message once the chat and both block lists are cached, four reads and an append without', async () => {
    const measure = async (followStreamHeads: boolean): Promise<CallCounts> => {
      chatId = randomUUID();
      const { repo } = await node({ followStreamHeads });
      // new_message uses only these of its dependencies.
      const deps = { aggregates: aggregatesOf(repo), now: () => new Date(meta.timestamp), newId: randomUUID } as unknown as CommandDeps;
      const actor = { userId: 'a', username: 'a', nickname: 'A', avatar: '' };
      const session = { joinChat: () => undefined, reply: () => undefined };
      const newMessage = (n: number) =>
        runAction(
          { deps, actor, correlationId: `c${n}`, session },
          { action: 'new_message', data: { chat_id: chatId, content: `m${n}`, timestamp: meta.timestamp } },
        );
      await create(repo);
      await newMessage(0);
      return callsOf(() => newMessage(1));
    };
    expect(await measure(false)).to.deep.equal({ appends: 1, streamReads: 4, allReads: 0, subscriptions: 0 });
    expect(await measure(true)).to.deep.equal({ appends: 1, streamReads: 0, allReads: 0, subscriptions: 0 });
  });

  it("reads only the tail after another node's append that the subscription delivered", async () => {
    const a = await node();
    const b = await node();
    await create(a.repo);
    await send(a.repo, 0);
    await send(b.repo, 1);
    await waitUntil(() => a.store.isKnownCurrent(chatStream(chatId), 2), 10_000, "node A never learnt node B's append");
    expect(a.store.isKnownCurrent(chatStream(chatId), 1)).to.equal(false);
    expect(await callsOf(() => send(a.repo, 2))).to.deep.equal({ appends: 1, streamReads: 1, allReads: 0, subscriptions: 0 });
    expect(await messages(a.store)).to.deep.equal([
      [1, 'm-0'],
      [2, 'm-1'],
      [3, 'm-2'],
    ]);
  });

  it("conflicts and retries on a fresh read after another node's append not yet delivered", async () => {
    const a = await node();
    const b = await node();
    await create(a.repo);
    await send(a.repo, 0);
    fake.holdDeliveries();
    await send(b.repo, 1);
    // Node A still vouches for revision 1: its decision is optimistic, guarded by the expected revision.
    expect(a.store.isKnownCurrent(chatStream(chatId), 1)).to.equal(true);
    expect(await callsOf(() => send(a.repo, 2))).to.deep.equal({ appends: 2, streamReads: 1, allReads: 0, subscriptions: 0 });
    fake.releaseDeliveries();
    expect(await messages(b.store)).to.deep.equal([
      [1, 'm-0'],
      [2, 'm-1'],
      [3, 'm-2'],
    ]);
  });

  it('reads before appending while the subscription is down, and after resubscribing knows what it missed', async () => {
    const a = await node();
    const b = await node();
    const other = `other-${randomUUID()}`;
    await create(a.repo);
    await send(a.repo, 0);
    expect(await a.store.readStream(other)).to.deep.equal([]);
    expect(a.store.isKnownCurrent(other, -1)).to.equal(true);

    fake.refuseSubscriptions = true;
    fake.dropSubscriptions();
    await waitUntil(() => !a.store.isKnownCurrent(chatStream(chatId), 1), 10_000, 'still vouching with the subscription down');
    expect(onlyCommandCalls(await callsOf(() => send(a.repo, 1)))).to.deep.equal({ appends: 1, streamReads: 1 });
    expect(onlyCommandCalls(await callsOf(() => send(a.repo, 2)))).to.deep.equal({ appends: 1, streamReads: 1 });
    await b.store.append(other, [event()], 'no_stream');

    fake.refuseSubscriptions = false;
    await waitUntil(() => a.store.isKnownCurrent(chatStream(chatId), 3), 10_000, 'never resubscribed');
    // Resubscribed after the last event it had seen: the append made meanwhile is known without a read
    // (the subscription hands it over right after the chat's events).
    await waitUntil(() => a.store.isKnownCurrent(other, 0), 10_000, 'never learnt the append made while it was down');
    expect([a.store.isKnownCurrent(other, -1), a.store.isKnownCurrent(other, 0)]).to.deep.equal([false, true]);
    expect(await callsOf(() => send(a.repo, 3))).to.deep.equal({ appends: 1, streamReads: 0, allReads: 0, subscriptions: 0 });
    expect((await messages(a.store)).map(([seq]) => seq)).to.deep.equal([1, 2, 3, 4]);
  });

  it('learns nothing from an idempotent replay, whose revision need not be the head', async () => {
    const a = await node();
    const s = `replay-${randomUUID()}`;
    const batch = [event(), event()];
    await a.store.append(s, batch, 'no_stream');
    await a.store.append(s, [event()], 1);
    const c = await node(); // opened after both appends: it has not followed them
    expect(await c.store.append(s, batch, 'no_stream')).to.deep.include({ _tag: 'Appended', nextRevision: 1 });
    expect([c.store.isKnownCurrent(s, 1), c.store.isKnownCurrent(s, 2)]).to.deep.equal([false, false]);
  });

  it('learns nothing from a call issued before its heads subscription had its starting point', async () => {
    const a = await node();
    const s = `early-${randomUUID()}`;
    await a.store.append(s, [event()], 'no_stream');
    const fresh = new EsdbEventStore(EventStoreDBClient.connectionString(fake.url));
    stores.push(fresh);
    // Its first call starts the subscription: an append between this read and the subscription's start would go unseen.
    expect(await fresh.readStream(s)).to.have.length(1);
    const warm = `warm-${randomUUID()}`;
    await fresh.append(warm, [event()], 'no_stream');
    await waitUntil(() => fresh.isKnownCurrent(warm, 0), 10_000, 'the heads subscription never went live');
    expect(fresh.isKnownCurrent(s, 0)).to.equal(false);
    await fresh.readStream(s);
    expect(fresh.isKnownCurrent(s, 0)).to.equal(true);
  });

  it('closes its heads subscription on close()', async () => {
    const { store } = await node();
    const live = fake.liveSubscriptions;
    await store.close();
    await waitUntil(() => fake.liveSubscriptions === live - 1, 10_000, 'the heads subscription is still served');
  });
});

const event = () => ({ id: randomUUID(), type: 'Tested', data: {}, metadata: { ...meta, schemaVersion: 1 } });
