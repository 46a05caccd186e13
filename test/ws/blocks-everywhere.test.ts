import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { TestClient } from '../support/test-client.js';
import { chatBetween, drain, expectStillOpen, itemsOf, newUser, nextError, notPresence, ping, type User, serviceFixture } from './support.js';

/** Blocks apply to every action between two users, whichever of them blocked the other. */
describe('blocks: add_new_friend, room_created and new_tournament between blocked users', () => {
  const fixture = serviceFixture();

  const tab = async (user: User): Promise<TestClient> => {
    const c = await user.connectReady();
    fixture.keep(c);
    return c;
  };

  const block = async (who: User, whom: User, on = true): Promise<void> => {
    const res = await who.http(on ? 'PUT' : 'DELETE', `/api/blocks/${whom.name}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
  };

  const notificationsOf = async (user: User, action: string): Promise<Record<string, unknown>[]> => {
    const res = await user.http('GET', '/api/notifications/?is_read=all&limit=100');
    expect(res.status).to.equal(200);
    return itemsOf(res.body).filter((n) => n['action'] === action);
  };

  const expectRefusedBlocked = async (client: TestClient, action: string, data: object): Promise<void> => {
    client.send(action, data);
    const error = await nextError(client, action);
    expect(error.data).to.include({ for: action, code: 'blocked' });
    expect(error.position, 'a refusal is not a stored event').to.equal(undefined);
    await expectStillOpen(client);
  };

  /** What reached `client` since the last drain, presence and barriers left out. */
  const framesOf = async (client: TestClient): Promise<string[]> => {
    await ping(client);
    return (await drain(client)).filter(notPresence).map((f) => f.action);
  };

  for (const direction of ['the sender blocked the receiver', 'the receiver blocked the sender'] as const) {
    it(`add_new_friend is refused (blocked) when ${direction}: no frame, no notification; unblocking restores it`, async () => {
      const alice = await newUser(fixture.svc, 'alice');
      const bob = await newUser(fixture.svc, 'bob');
      const [blocker, blocked] = direction === 'the sender blocked the receiver' ? [alice, bob] : [bob, alice];
      await block(blocker, blocked);
      const a = await tab(alice);
      const b = await tab(bob);
      await expectRefusedBlocked(a, 'add_new_friend', { sender_id: alice.id, receiver_id: bob.id });
      expect(await framesOf(b), 'bob got nothing').to.deep.equal([]);
      expect(await notificationsOf(bob, 'new_friend'), 'no notification stored').to.deep.equal([]);

      await block(blocker, blocked, false);
      a.send('add_new_friend', { sender_id: alice.id, receiver_id: bob.id });
      const frame = await b.nextAction('new_friend');
      expect(frame.data).to.deep.equal({ username: alice.name, nickname: alice.nickname });
      expect(await notificationsOf(bob, 'new_friend')).to.have.length(1);
    });

    it(`room_created is refused (blocked) when ${direction}; unblocking restores it`, async () => {
      const alice = await newUser(fixture.svc, 'alice');
      const bob = await newUser(fixture.svc, 'bob');
      const chatId = await chatBetween(alice, bob);
      const [blocker, blocked] = direction === 'the sender blocked the receiver' ? [alice, bob] : [bob, alice];
      await block(blocker, blocked);
      const a = await tab(alice);
      const b = await tab(bob);
      await expectRefusedBlocked(a, 'room_created', { chat_id: chatId });
      expect(await framesOf(b), 'bob got nothing').to.deep.equal([]);

      await block(blocker, blocked, false);
      a.send('room_created', { chat_id: chatId });
      expect((await b.nextAction('room_created')).data).to.deep.equal({ chat_id: chatId });
      expect((await a.nextAction('room_created')).data).to.deep.equal({ chat_id: chatId });
    });
  }

  it('new_tournament reaches neither who blocked the organizer nor whom the organizer blocked (frame and notification); others get both; unblocking restores them', async () => {
    const organizer = await newUser(fixture.svc, 'org');
    const blocker = await newUser(fixture.svc, 'blocker');
    const blockedOne = await newUser(fixture.svc, 'blockedone');
    const other = await newUser(fixture.svc, 'other');
    await block(blocker, organizer);
    await block(organizer, blockedOne);
    const o = await tab(organizer);
    const tabs = { blocker: await tab(blocker), blockedOne: await tab(blockedOne), other: await tab(other) };
    for (const c of Object.values(tabs)) await drain(c);

    const cup = randomUUID();
    o.send('new_tournament', { tournament_id: cup, tournament_name: 'Blocked Cup', organizer_id: organizer.id });
    const frame = await tabs.other.nextAction('new_tournament');
    expect(frame.data).to.deep.equal({ tournament_id: cup, tournament_name: 'Blocked Cup', creator: organizer.name });
    expect(await framesOf(tabs.blocker), 'the blocker got no frame').to.deep.equal([]);
    expect(await framesOf(tabs.blockedOne), 'the blocked user got no frame').to.deep.equal([]);
    expect((await notificationsOf(other, 'new_tournament')).map((n) => n['id'])).to.deep.equal([cup]);
    expect(await notificationsOf(blocker, 'new_tournament'), 'the blocker has no notification').to.deep.equal([]);
    expect(await notificationsOf(blockedOne, 'new_tournament'), 'the blocked user has no notification').to.deep.equal([]);

    // A socket resuming from before the announcement does not get it either.
    const resumed = await blocker.connect({ since: '1' });
    fixture.keep(resumed);
    expect(await framesOf(resumed), 'nothing replayed to the blocker').to.not.include('new_tournament');

    await block(blocker, organizer, false);
    await block(organizer, blockedOne, false);
    const cup2 = randomUUID();
    o.send('new_tournament', { tournament_id: cup2, tournament_name: 'Open Cup', organizer_id: organizer.id });
    for (const c of Object.values(tabs)) expect((await c.nextAction('new_tournament')).data['tournament_id']).to.equal(cup2);
    for (const u of [blocker, blockedOne, other]) {
      expect(
        (await notificationsOf(u, 'new_tournament')).map((n) => n['id']),
        u.name,
      ).to.include(cup2);
    }
  });
});
