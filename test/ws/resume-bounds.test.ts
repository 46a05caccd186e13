import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { ReceivedFrame } from '../support/test-client.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { inject } from './faults.js';
import { chatBetween, newUser, nextMessage, rawUpgrade, sleep, type User } from './support.js';

const fast = { ws: { ratePerSecond: 10_000, rateBurst: 10_000 }, invites: { rateMax: 1000 } } as const;

const send = async (from: Awaited<ReturnType<User['connect']>>, chatId: string, contents: readonly string[]): Promise<ReceivedFrame[]> => {
  const acks: ReceivedFrame[] = [];
  for (const content of contents) {
    from.send('new_message', { chat_id: chatId, content, timestamp: new Date().toISOString() });
    acks.push(await nextMessage(from, content));
  }
  return acks;
};

describe('WebSocket resume: bounds and exactness', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ ...fast, ws: { ...fast.ws, resumeMaxFrames: 5 } });
  });
  after(async () => svc.stop());

  it('a since beyond the head of the log is refused with 400 before the upgrade (so is garbage)', async () => {
    const alice = await newUser(svc, 'alice');
    const head = await svc.service.store.headPosition();
    const past = (head?.commit ?? 0n) + 1000n;
    for (const since of [past.toString(), `${past.toString()}.1`, 'abc', '12.x', '-1']) {
      const outcome = await rawUpgrade(svc, `/ws/events?token=${alice.token}&since=${since}`);
      expect(outcome.upgraded, since).to.equal(false);
      if (outcome.upgraded) continue;
      expect(outcome.status, since).to.equal(400);
      expect(JSON.parse(outcome.body)).to.have.property('msg').that.is.a('string');
    }
    const ok = await rawUpgrade(svc, `/ws/events?token=${alice.token}&since=${head?.commit.toString() ?? '0'}`);
    expect(ok.upgraded).to.equal(true);
  });

  it('a backlog over WS_RESUME_MAX_FRAMES gives resync_required and then live frames only', async () => {
    const alice = await newUser(svc, 'alice');
    const bob = await newUser(svc, 'bob');
    const chatId = await chatBetween(alice, bob);
    const b = await bob.connect();
    const since = b.readyFrame?.data['position'] as string;
    await b.close();
    const a = await alice.connect();
    await send(a, chatId, ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    const resumed = await bob.connect({ since });
    const resync = await resumed.next();
    expect(resync.action).to.equal('resync_required');
    expect(resync.data['position']).to.be.a('string');
    expect(resumed.readyFrame?.data['position']).to.equal(resync.data['position']);
    await send(a, chatId, ['live after resync']);
    const next = await resumed.nextAction('new_message');
    expect(next.data['content'], 'no replayed frame, the live one').to.equal('live after resync');
    // Within the bound the backlog is replayed as usual.
    const mid = await bob.connect({ since: (await send(a, chatId, ['n1']))[0]?.position as string });
    await send(a, chatId, ['n2', 'n3']);
    expect((await mid.nextAction('new_message')).data['content']).to.equal('n2');
    expect((await mid.nextAction('new_message')).data['content']).to.equal('n3');
    await Promise.all([a.close(), resumed.close(), mid.close()]);
  });

  it('one event, two frames (game_accepted, game_found): a client cut off between them resumes with the second only', async () => {
    const alice = await newUser(svc, 'alice');
    const bob = await newUser(svc, 'bob');
    const a = await alice.connect();
    const b = await bob.connect();
    a.send('game_invite', { username: bob.name, client_id: randomUUID() });
    await b.nextAction('game_invite');
    b.send('reply_game_invite', { username: alice.name, accept: true });
    const accepted = await a.nextAction('game_accepted');
    const found = await a.nextAction('game_found');
    expect(accepted.position).to.not.equal(found.position);
    expect(accepted.position?.split('.')[0]).to.equal(found.position?.split('.')[0]);
    await a.close();
    // Resume from the first of the two: the second comes, the first does not come again.
    const again = await alice.connect({ since: accepted.position as string });
    const first = await again.next((f) => f.action === 'game_accepted' || f.action === 'game_found');
    expect(first.action).to.equal('game_found');
    expect(first.position).to.equal(found.position);
    expect(first.data).to.deep.equal(found.data);
    // Resume from the second: nothing of that event.
    const after = await alice.connect({ since: found.position as string });
    await sleep(150);
    expect(after.pending().filter((f) => f.action === 'game_accepted' || f.action === 'game_found')).to.deep.equal([]);
    await Promise.all([again.close(), after.close(), b.close()]);
  });
});

describe('WebSocket resume on a node whose broadcaster lags', () => {
  let a: TestService;
  let b: TestService;
  before(async () => {
    a = await startTestService(fast);
    b = await startTestService(fast, { dataDir: a.dataDir });
  });
  after(async () => {
    await b.stop();
    await a.stop();
  });

  it('sends nothing the client already had, then everything after it, exactly once', async () => {
    const alice = await newUser(a, 'alice');
    const bob = await newUser(a, 'bob');
    const chatId = await chatBetween(alice, bob);
    // Node B's broadcaster is held still: it cannot build frames until released.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const restore = inject(b.service.profiles, 'resolve', (original) => async (ids: readonly string[]) => {
      await gate;
      return original.call(b.service.profiles, ids);
    });
    try {
      const onA = await a.connect(bob.name, { token: bob.token });
      const sender = await alice.connect();
      const acks = await send(sender, chatId, ['one', 'two', 'three']);
      for (const content of ['one', 'two', 'three']) await nextMessage(onA, content);
      const last = acks[acks.length - 1]?.position as string;
      await onA.close();
      // Bob moves to node B, which has broadcast none of them yet.
      const onB = await b.connect(bob.name, { token: bob.token, since: last, awaitReady: false });
      await send(sender, chatId, ['four']);
      release();
      const messages: string[] = [];
      for (;;) {
        const f = await onB.nextAction('new_message', 5000);
        messages.push(f.data['content'] as string);
        if (f.data['content'] === 'four') break;
      }
      await send(sender, chatId, ['five']);
      messages.push((await onB.nextAction('new_message')).data['content'] as string);
      await sleep(200);
      messages.push(
        ...onB
          .pending()
          .filter((f) => f.action === 'new_message')
          .map((f) => f.data['content'] as string),
      );
      expect(messages).to.deep.equal(['four', 'five']);
      await Promise.all([onB.close(), sender.close()]);
    } finally {
      release();
      restore();
    }
  });
});
