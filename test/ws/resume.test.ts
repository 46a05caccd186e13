import { expect } from 'chai';
import type { ReceivedFrame, TestClient } from '../support/test-client.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { chatBetween, itemsOf, newUser, nextMessage, rawUpgrade, waitUntil, type User } from './support.js';

const positionOf = (f: ReceivedFrame): bigint => {
  expect(f.position, `${f.action} carries a position`).to.be.a('string');
  return BigInt(f.position as string);
};

/** Stored-event frames come in strictly increasing positions: in order, no duplicate. */
const expectStrictlyIncreasing = (frames: readonly ReceivedFrame[]): void => {
  const positions = frames.filter((f) => f.position !== undefined).map(positionOf);
  for (let i = 1; i < positions.length; i++) {
    expect(positions[i]! > positions[i - 1]!, `position ${String(positions[i])} after ${String(positions[i - 1])}`).to.equal(true);
  }
};

/** Rounds of the concurrent-resume test. */
const ROUNDS = 5;

describe('WebSocket gateway: resume with ?since=', () => {
  let svc: TestService;
  const clients: TestClient[] = [];

  before(async () => {
    // Writers below send as fast as acknowledgements come back: no flood control here.
    svc = await startTestService({ ws: { maxBufferedBytes: 1024 * 1024, ratePerSecond: 10_000, rateBurst: 10_000, rateWarnings: 3 } });
  });
  after(async () => {
    await svc.stop();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  const tab = async (user: User, since?: string): Promise<TestClient> => {
    const c = since === undefined ? await user.connectReady() : await user.connect({ since });
    clients.push(c);
    return c;
  };

  /** Sends `contents` one after the other, each once acknowledged (the sender's own frame): the message ids in order. */
  const sendAll = async (sender: TestClient, chatId: string, contents: readonly string[]): Promise<string[]> => {
    const ids: string[] = [];
    for (const content of contents) {
      sender.send('new_message', { chat_id: chatId, content, timestamp: new Date().toISOString() });
      ids.push((await nextMessage(sender, content)).data['id'] as string);
    }
    return ids;
  };

  /** The next `n` new_message frames of `client` in arrival order (other frames stay queued). */
  const nextMessages = async (client: TestClient, n: number, timeoutMs = 5000): Promise<ReceivedFrame[]> => {
    const frames: ReceivedFrame[] = [];
    while (frames.length < n) frames.push(await client.nextAction('new_message', timeoutMs));
    return frames;
  };

  it('replays exactly the frames missed while disconnected, in order, then goes live: no gap, no duplicate', async () => {
    const alice = await newUser(svc, 'alice');
    const bob = await newUser(svc, 'bob');
    const chatId = await chatBetween(alice, bob);
    const a = await tab(alice);
    const b = await tab(bob);

    await sendAll(a, chatId, ['before 1', 'before 2']);
    const seen = await nextMessages(b, 2);
    const since = seen[1]?.position as string;
    await a.close();

    const missed = await sendAll(
      b,
      chatId,
      Array.from({ length: 8 }, (_, i) => `missed ${i}`),
    );
    b.send('like_message', { id: seen[0]?.data['id'], chat_id: chatId });
    await b.nextAction('chat_like_update');

    const resumed = await tab(alice, since);
    // Sent while the replay may still be running.
    const live = await sendAll(b, chatId, ['live 1', 'live 2']);
    await waitUntil(() => resumed.pending().some((f) => f.data['id'] === live[1]), 5000, 'the last live message');
    // Then a barrier stored after everything: a late duplicate would arrive before it.
    resumed.send('notification', { message: 'barrier', type: 'ping' });
    await waitUntil(() => resumed.pending().some((f) => f.data['message'] === 'barrier'), 5000, 'the barrier');
    const everything = await resumed.collect(0); // in arrival order

    expectStrictlyIncreasing(everything);
    for (const f of everything) if (f.position !== undefined) expect(positionOf(f) > BigInt(since), `${f.action} at ${String(f.position)}`).to.equal(true);
    const chatFrames = everything.filter((f) => f.action === 'new_message' || f.action === 'chat_like_update');
    expect(chatFrames.map((f) => (f.action === 'new_message' ? f.data['id'] : 'like'))).to.deep.equal([...missed, 'like', ...live]);
    const like = chatFrames[missed.length] as ReceivedFrame;
    expect(like.data).to.deep.equal({ chat_id: chatId, id: seen[0]?.data['id'], is_liked: true });
  });

  it('resumed frames are those of the user’s groups only (an outsider resuming from 0 sees no chat frame)', async () => {
    const alice = await newUser(svc, 'alice');
    const bob = await newUser(svc, 'bob');
    const carol = await newUser(svc, 'carol');
    const chatId = await chatBetween(alice, bob);
    const b = await tab(bob);
    await sendAll(b, chatId, ['secret']);
    const c = await tab(carol, '0');
    c.send('notification', { message: 'barrier', type: 'ping' });
    await c.next((f) => f.action === 'notification' && f.data['message'] === 'barrier');
    const frames = await c.collect(0);
    expect(frames.filter((f) => JSON.stringify(f).includes(chatId))).to.deep.equal([]);
    expectStrictlyIncreasing(frames);
  });

  it('a chat created while disconnected is joined by the replay, and its messages replayed', async () => {
    const alice = await newUser(svc, 'alice');
    const bob = await newUser(svc, 'bob');
    const a = await tab(alice);
    a.send('notification', { message: 'mark', type: 'info' });
    const since = (await a.nextAction('notification')).position as string;
    await a.close();
    const chatId = await chatBetween(bob, alice);
    const b = await tab(bob);
    const ids = await sendAll(b, chatId, ['while away 1', 'while away 2']);
    const resumed = await tab(alice, since);
    expect((await resumed.nextAction('join_chat')).data).to.deep.equal({ chat_id: chatId });
    expect((await nextMessages(resumed, 2)).map((f) => f.data['id'])).to.deep.equal(ids);
    // And live frames of that chat follow.
    const [live] = await sendAll(b, chatId, ['now']);
    expect((await resumed.nextAction('new_message')).data['id']).to.equal(live);
  });

  it('messages sent concurrently during the reconnect are each seen exactly once, in order', async () => {
    const alice = await newUser(svc, 'alice');
    const bob = await newUser(svc, 'bob');
    const chatId = await chatBetween(alice, bob);
    for (let round = 0; round < ROUNDS; round++) {
      const a = await tab(alice);
      const b = await tab(bob);
      const [first] = await sendAll(b, chatId, [`r${round} start`]);
      const start = await a.nextAction('new_message');
      expect(start.data['id']).to.equal(first);
      await a.close();

      // The writer: bursts of 5 not waiting for acknowledgements (so the store runs ahead of the
      // broadcaster), ids in log order from the sender's own acknowledgements.
      const sent: string[] = [];
      let bursts = 0;
      let stopAfter = Number.POSITIVE_INFINITY;
      const writer = (async () => {
        while (bursts < stopAfter && bursts < 40) {
          const burst = Array.from({ length: 5 }, (_, i) => `r${round} b${bursts} m${i}`);
          for (const content of burst) b.send('new_message', { chat_id: chatId, content, timestamp: new Date().toISOString() });
          for (const content of burst) sent.push((await nextMessage(b, content)).data['id'] as string);
          bursts++;
        }
      })();
      await waitUntil(() => bursts >= 1 + (round % 3), 5000, 'the first bursts');
      // Reconnect while the writer keeps going; a refreshed profile on the new token makes the
      // socket's set-up append too, in the middle of the writer's commits.
      const token = svc.token(alice.name, { nickname: `Alice (round ${round})`, avatar: alice.avatar });
      const r = await svc.connect(alice.name, { token, since: start.position as string });
      clients.push(r);
      // Keep writing through the replay and a little after it.
      await waitUntil(() => r.pending().some((f) => f.action === 'new_message'), 5000, 'the replay to start');
      stopAfter = bursts + 3;
      await writer;

      const last = sent[sent.length - 1] as string;
      await waitUntil(() => r.pending().some((f) => f.data['id'] === last), 5000, 'the last message');
      // A barrier stored after everything: a late duplicate would arrive before it.
      r.send('notification', { message: 'barrier', type: 'ping' });
      await waitUntil(() => r.pending().some((f) => f.data['message'] === 'barrier'), 5000, 'the barrier');
      const frames = (await r.collect(0)).filter((f) => f.action === 'new_message');
      expect(
        frames.map((f) => f.data['id']),
        `round ${round}: ${sent.length} sent`,
      ).to.deep.equal(sent);
      expectStrictlyIncreasing(frames);
      const stored = itemsOf((await alice.http('GET', `/api/chats/${bob.name}/messages?limit=${sent.length}`)).body);
      expect(stored.map((m) => m['id']).reverse()).to.deep.equal(sent);
      await Promise.all(clients.splice(0).map((c) => c.close()));
    }
  });

  it('a since that is not a position is refused with 400 before the upgrade', async () => {
    const alice = await newUser(svc, 'alice');
    const outcome = await rawUpgrade(svc, `/ws/events?since=yesterday&token=${alice.token}`);
    expect(outcome).to.deep.include({ upgraded: false, status: 400 });
  });
});
