import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { ServerFrame } from '../../sdk/src/frames.js';
import { fastScheduling } from '../scheduling/support.js';
import type { SdkTab } from '../support/sdk-tab.js';
import { chatBetween, newUser, serviceFixture, type User } from './support.js';

type Receipt = 'chat_read_update' | 'block_update' | 'notification_read';
const RECEIPTS: readonly string[] = ['chat_read_update', 'block_update', 'notification_read'];

type Frame<A extends ServerFrame['action']> = Extract<ServerFrame, { readonly action: A }>;

const is =
  <A extends ServerFrame['action']>(action: A) =>
  (f: ServerFrame): f is Frame<A> =>
    f.action === action;

/** The next `action` frame the tab has not taken yet. */
const next = async <A extends Receipt>(tab: SdkTab, action: A, what: string = action): Promise<Frame<A>> => {
  const frame = await tab.next(is(action), what);
  if (!is(action)(frame)) throw new Error(`expected ${action}`);
  return frame;
};

/** The receipts a tab got, in order, as the wire had them. */
const receiptsOf = (tab: SdkTab): ServerFrame[] => tab.frames.filter((f) => RECEIPTS.includes(f.action));

const sorted = (xs: readonly string[]): string[] => [...xs].sort();

/**
 * Live receipts through the real server, on the SDK's `ChatClient` as a front end would use it:
 * `chat_read_update`, `block_update` and `notification_read`, to every tab concerned, from stored
 * events only (so a resume replays them). "Sends nothing" is checked in log order: the next frame
 * of that kind must be the one a later action caused.
 */
describe('live receipts (SDK tabs, real server)', function () {
  this.timeout(30_000);
  const fixture = serviceFixture({ ws: { ratePerSecond: 500, rateBurst: 500 } });
  const tab = async (user: User, options: Parameters<User['sdk']>[0] = {}): Promise<SdkTab> => fixture.keep(await user.sdk(options));

  describe('chat_read_update', () => {
    it('a read that moves the mark reaches the chat group: the sender sees its messages read, the reader’s other tab too', async () => {
      const alice = await newUser(fixture.svc, 'alice');
      const bob = await newUser(fixture.svc, 'bob');
      const chatId = await chatBetween(alice, bob);
      const [a, b1, b2] = [await tab(alice), await tab(bob), await tab(bob)];
      const m1 = await a.client.sendMessage(chatId, 'one');
      const m2 = await a.client.sendMessage(chatId, 'two');

      await b1.client.markRead(m2.id, chatId);
      const expected = { chat_id: chatId, username: bob.name, id: m2.id };
      const [toAlice, toOtherTab, toReader] = [await next(a, 'chat_read_update'), await next(b2, 'chat_read_update'), await next(b1, 'chat_read_update')];
      for (const f of [toAlice, toOtherTab, toReader]) expect(f.data).to.deep.equal(expected);
      expect(toAlice.position, 'from a stored event').to.be.a('string');
      expect(toOtherTab.position).to.equal(toAlice.position);

      // What the frame says is what REST then shows: both messages read.
      const messages = await alice.http('GET', `/api/chats/${bob.name}/messages`);
      const items = (messages.body as { items: { id: string; is_read: boolean }[] }).items;
      expect(items.filter((m) => m.id === m1.id || m.id === m2.id).map((m) => m.is_read)).to.deep.equal([true, true]);
    });

    it('a read that does not move the mark (the same message again, an older one) sends nothing', async () => {
      const alice = await newUser(fixture.svc, 'alice');
      const bob = await newUser(fixture.svc, 'bob');
      const chatId = await chatBetween(alice, bob);
      const [a, b1, b2] = [await tab(alice), await tab(bob), await tab(bob)];
      const m1 = await a.client.sendMessage(chatId, 'one');
      const m2 = await a.client.sendMessage(chatId, 'two');
      await b1.client.markRead(m2.id, chatId);
      expect((await next(a, 'chat_read_update')).data.id).to.equal(m2.id);
      expect((await next(b2, 'chat_read_update')).data.id).to.equal(m2.id);

      await b1.client.markRead(m2.id, chatId);
      await b1.client.markRead(m1.id);
      const m3 = await a.client.sendMessage(chatId, 'three');
      await b1.client.markRead(m3.id, chatId);
      // In log order, the next chat_read_update of each tab is m3's: the two repeats stored nothing.
      expect((await next(a, 'chat_read_update')).data.id).to.equal(m3.id);
      expect((await next(b2, 'chat_read_update')).data.id).to.equal(m3.id);
      expect(receiptsOf(a).map((f) => f.action)).to.deep.equal(['chat_read_update', 'chat_read_update']);
    });
  });

  describe('block_update', () => {
    const flags = (username: string, mine: boolean, theirs: boolean) => ({ username, is_blocked_user: mine, is_blocked_by_user: theirs });

    it('block and unblock reach every tab of both users, each with its own side’s flags, the other direction included', async () => {
      const alice = await newUser(fixture.svc, 'alice');
      const bob = await newUser(fixture.svc, 'bob');
      const [a1, a2, b1, b2] = [await tab(alice), await tab(alice), await tab(bob), await tab(bob)];
      const expectUpdate = async (forAlice: object, forBob: object, what: string) => {
        for (const t of [a1, a2]) expect((await next(t, 'block_update', what)).data, `alice: ${what}`).to.deep.equal(forAlice);
        for (const t of [b1, b2]) expect((await next(t, 'block_update', what)).data, `bob: ${what}`).to.deep.equal(forBob);
      };

      await a1.client.rest.block(bob.name);
      await expectUpdate(flags(bob.name, true, false), flags(alice.name, false, true), 'alice blocked bob');
      // Blocking again changes nothing and sends nothing: the next update is Bob's block.
      await a2.client.rest.block(bob.name);
      await b2.client.rest.block(alice.name);
      await expectUpdate(flags(bob.name, true, true), flags(alice.name, true, true), 'bob blocked alice too');
      await a1.client.rest.unblock(bob.name);
      await expectUpdate(flags(bob.name, false, true), flags(alice.name, true, false), 'alice unblocked bob');
      await b1.client.rest.unblock(alice.name);
      await expectUpdate(flags(bob.name, false, false), flags(alice.name, false, false), 'bob unblocked alice');

      for (const t of [a1, a2, b1, b2]) expect(receiptsOf(t).map((f) => f.action)).to.deep.equal(Array(4).fill('block_update'));
      // The frames agree with what REST shows afterwards.
      const preview = await a1.client.rest.openChat(bob.name);
      expect({ is_blocked_user: preview.is_blocked_user, is_blocked_by_user: preview.is_blocked_by_user }).to.deep.equal({
        is_blocked_user: false,
        is_blocked_by_user: false,
      });
    });

    it('a third user gets nothing', async () => {
      const alice = await newUser(fixture.svc, 'alice');
      const bob = await newUser(fixture.svc, 'bob');
      const carol = await newUser(fixture.svc, 'carol');
      const c = await tab(carol);
      const b = await tab(bob);
      await (await tab(alice)).client.rest.block(bob.name);
      await next(b, 'block_update');
      // Carol's own block of Bob is the next block_update she gets.
      await c.client.rest.block(bob.name);
      expect((await next(c, 'block_update')).data).to.deep.equal(flags(bob.name, true, false));
      expect(receiptsOf(c)).to.have.length(1);
    });
  });

  describe('notification_read', () => {
    /** Alice befriends Bob: Bob's `new_friend` notification, by id. */
    const friendNotification = async (alice: SdkTab, bobUser: User, bob: SdkTab): Promise<string> => {
      await alice.client.addFriend(bobUser.id);
      await bob.next((f) => f.action === 'new_friend', 'new_friend');
      const unread = await bob.client.rest.notifications({ isRead: 'unread', limit: 100 });
      const friend = unread.items.find((n) => n.action === 'new_friend');
      expect(friend, 'the new_friend notification').to.not.equal(undefined);
      return friend?.id ?? '';
    };

    it('read_notification in one tab: notification_read in every tab of the owner, none to others; reading it again sends nothing', async () => {
      const alice = await newUser(fixture.svc, 'alice');
      const bob = await newUser(fixture.svc, 'bob');
      const [a, b1, b2] = [await tab(alice), await tab(bob), await tab(bob)];
      const first = await friendNotification(a, bob, b1);
      await b1.client.readNotification(first);
      for (const t of [b1, b2]) expect((await next(t, 'notification_read')).data).to.deep.equal({ ids: [first] });

      await b1.client.readNotification(first);
      const carol = await newUser(fixture.svc, 'carol');
      const second = await friendNotification(await tab(carol), bob, b1);
      await b2.client.readNotification(second);
      for (const t of [b1, b2])
        expect((await next(t, 'notification_read', 'the second read')).data, 'the repeat sent nothing').to.deep.equal({ ids: [second] });
      expect(receiptsOf(a), 'alice got none').to.deep.equal([]);
      expect((await bob.http('GET', '/api/notifications/?is_read=unread')).body).to.deep.include({ count: 0 });
    });

    it('POST mark_all_as_read: one notification_read naming every notification it read; with nothing unread, none', async () => {
      const alice = await newUser(fixture.svc, 'alice');
      const bob = await newUser(fixture.svc, 'bob');
      const carol = await newUser(fixture.svc, 'carol');
      const [a, c, b1, b2] = [await tab(alice), await tab(carol), await tab(bob), await tab(bob)];
      const friend = await friendNotification(a, bob, b1);
      const cup = randomUUID();
      await c.client.announceTournament(cup, 'Receipts Cup');
      await b1.next((f) => f.action === 'new_tournament', 'new_tournament');
      await c.client.invite(bob.name);
      const invite = await b1.next((f) => f.action === 'game_invite', 'game_invite');
      const inviteId = invite.action === 'game_invite' ? invite.data.id : '';
      await b1.client.readNotification(friend);
      for (const t of [b1, b2]) expect((await next(t, 'notification_read', 'the friend notification read')).data).to.deep.equal({ ids: [friend] });

      expect(await b1.client.rest.markAllNotificationsRead()).to.have.property('msg');
      for (const t of [b1, b2]) {
        const frame = await next(t, 'notification_read', 'mark all');
        expect(sorted(frame.data.ids), 'the unread ones, not the one read before').to.deep.equal(sorted([cup, inviteId]));
        expect(frame.position).to.be.a('string');
      }
      expect((await bob.http('GET', '/api/notifications/?is_read=unread')).body).to.deep.include({ count: 0 });

      // Nothing unread: stores nothing, sends nothing (the next notification_read is a later read's).
      await b1.client.rest.markAllNotificationsRead();
      const dave = await newUser(fixture.svc, 'dave');
      const later = await friendNotification(await tab(dave), bob, b1);
      await b1.client.readNotification(later);
      expect((await next(b2, 'notification_read', 'the later read')).data).to.deep.equal({ ids: [later] });
      expect(receiptsOf(a)).to.deep.equal([]);
    });

    for (const outcome of ['accepted', 'declined', 'canceled'] as const) {
      it(`an invitation ${outcome}: notification_read of its notification to every tab of the invitee`, async () => {
        const alice = await newUser(fixture.svc, 'alice');
        const bob = await newUser(fixture.svc, 'bob');
        const [a, b1, b2] = [await tab(alice), await tab(bob), await tab(bob)];
        await a.client.invite(bob.name);
        const invite = await b1.next((f) => f.action === 'game_invite', 'game_invite');
        const inviteId = invite.action === 'game_invite' ? invite.data.id : '';
        if (outcome === 'accepted') await b1.client.acceptInvite(alice.name);
        else if (outcome === 'declined') await b1.client.declineInvite(alice.name);
        else await a.client.cancelInvite(bob.name);
        for (const t of [b1, b2]) expect((await next(t, 'notification_read')).data).to.deep.equal({ ids: [inviteId] });
        const unread = await b1.client.rest.notifications({ isRead: 'unread' });
        expect(unread.items.map((n) => n.id)).to.not.include(inviteId);
        expect(receiptsOf(a), 'the inviter gets none').to.deep.equal([]);
      });
    }
  });

  describe('resume', () => {
    it('a socket resumed from an earlier position gets the receipts it missed, exactly as a live tab got them', async () => {
      const alice = await newUser(fixture.svc, 'alice');
      const bob = await newUser(fixture.svc, 'bob');
      const chatId = await chatBetween(alice, bob);
      const a = await tab(alice);
      const live = await tab(bob);
      const away = await tab(bob);
      const since = away.client.lastPosition;
      expect(since).to.be.a('string');
      await away.close();

      await a.client.addFriend(bob.id);
      const message = await live.client.sendMessage(chatId, 'read me');
      await a.client.markRead(message.id, chatId);
      const friend = (await live.client.rest.notifications({ isRead: 'unread' })).items.find((n) => n.action === 'new_friend')?.id ?? '';
      await live.client.readNotification(friend);
      // Both directions, so that the replay must show the other side's flag as it stood at each event.
      await a.client.rest.block(bob.name);
      await live.client.rest.block(alice.name);
      await a.client.rest.unblock(bob.name);
      const expected = ['chat_read_update', 'notification_read', 'block_update', 'block_update', 'block_update'];
      await live.next((f) => f.action === 'block_update' && !f.data.is_blocked_by_user, 'the last block_update');
      expect(receiptsOf(live).map((f) => f.action)).to.deep.equal(expected);

      const resumed = await tab(bob, { since });
      await resumed.next((f) => f.action === 'block_update' && !f.data.is_blocked_by_user, 'the replayed last block_update');
      expect(receiptsOf(resumed), 'the same frames, positions included').to.deep.equal(receiptsOf(live));
      expect(receiptsOf(resumed).map((f) => f.data)).to.deep.include.members([
        { username: alice.name, is_blocked_user: false, is_blocked_by_user: true },
        { username: alice.name, is_blocked_user: true, is_blocked_by_user: true },
        { username: alice.name, is_blocked_user: true, is_blocked_by_user: false },
      ]);
    });
  });
});

describe('live receipts: an expired invitation (SDK tabs, real server)', function () {
  this.timeout(20_000);
  const fixture = serviceFixture(fastScheduling({ invites: { ttlMs: 600 } }));

  it('notification_read of its notification to every tab of the invitee when it expires', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const bob = await newUser(fixture.svc, 'bob');
    const a = fixture.keep(await alice.sdk());
    const [b1, b2] = [fixture.keep(await bob.sdk()), fixture.keep(await bob.sdk())];
    await a.client.invite(bob.name);
    const invite = await b1.next((f) => f.action === 'game_invite', 'game_invite');
    const inviteId = invite.action === 'game_invite' ? invite.data.id : '';
    const canceled = await b1.next((f) => f.action === 'game_invite_canceled', 'the expiry', 5000);
    expect(canceled.action === 'game_invite_canceled' && canceled.data.message).to.equal('The invitation expired');
    for (const t of [b1, b2]) expect((await next(t, 'notification_read')).data).to.deep.equal({ ids: [inviteId] });
    expect(receiptsOf(a)).to.deep.equal([]);
  });
});
