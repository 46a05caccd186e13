import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { refusalOf, type SdkTab } from '../support/sdk-tab.js';
import type { TestClient } from '../support/test-client.js';
import { chatBetween, drain, itemsOf, newUser, notPresence, ping, type User, serviceFixture } from './support.js';

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

  /** What reached `client` since the last drain, presence and barriers left out. */
  const framesOf = async (client: TestClient): Promise<string[]> => {
    await ping(client);
    return (await drain(client)).filter(notPresence).map((f) => f.action);
  };

  // On the SDK, as a front end would: a refusal rejects the call with its code.
  const sdkTab = async (user: User): Promise<SdkTab> => fixture.keep(await user.sdk());

  /** What reached `tab` since it was last asked, presence and barriers left out: an own notification echo is the barrier. */
  const framesSince = (() => {
    const seen = new Map<SdkTab, number>();
    return async (tab: SdkTab): Promise<string[]> => {
      const tag = randomUUID();
      await tab.client.notify(tag, 'ping');
      const end = (await tab.next((f) => f.action === 'notification' && f.data.message === tag, 'the barrier'), tab.frames.length);
      const from = seen.get(tab) ?? 0;
      seen.set(tab, end);
      return tab.frames
        .slice(from, end)
        .filter((f) => f.action !== 'user_online' && f.action !== 'user_offline' && f.action !== 'notification')
        .map((f) => f.action);
    };
  })();

  for (const direction of ['the sender blocked the receiver', 'the receiver blocked the sender'] as const) {
    it(`add_new_friend is refused (blocked) when ${direction}: no frame, no notification; unblocking restores it`, async () => {
      const alice = await newUser(fixture.svc, 'alice');
      const bob = await newUser(fixture.svc, 'bob');
      const [blocker, blocked] = direction === 'the sender blocked the receiver' ? [alice, bob] : [bob, alice];
      await block(blocker, blocked);
      const a = await sdkTab(alice);
      const b = await sdkTab(bob);
      await framesSince(b);
      expect((await refusalOf(a.client.addFriend(bob.id))).code).to.equal('blocked');
      expect(await framesSince(b), 'bob got nothing').to.deep.equal([]);
      expect(await notificationsOf(bob, 'new_friend'), 'no notification stored').to.deep.equal([]);

      await block(blocker, blocked, false);
      await a.client.addFriend(bob.id);
      const frame = await b.next((f) => f.action === 'new_friend', 'new_friend');
      expect(frame.data).to.deep.equal({ username: alice.name, nickname: alice.nickname });
      expect(await notificationsOf(bob, 'new_friend')).to.have.length(1);
    });

    it(`room_created is refused (blocked) when ${direction}; unblocking restores it`, async () => {
      const alice = await newUser(fixture.svc, 'alice');
      const bob = await newUser(fixture.svc, 'bob');
      const chatId = await chatBetween(alice, bob);
      const [blocker, blocked] = direction === 'the sender blocked the receiver' ? [alice, bob] : [bob, alice];
      await block(blocker, blocked);
      const a = await sdkTab(alice);
      const b = await sdkTab(bob);
      await framesSince(b);
      expect((await refusalOf(a.client.announceRoom(chatId))).code).to.equal('blocked');
      expect(await framesSince(b), 'bob got nothing').to.deep.equal([]);

      await block(blocker, blocked, false);
      await a.client.announceRoom(chatId);
      expect((await b.next((f) => f.action === 'room_created', 'room_created on bob')).data).to.deep.equal({ chat_id: chatId });
      expect((await a.next((f) => f.action === 'room_created', 'room_created on alice')).data).to.deep.equal({ chat_id: chatId });
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
