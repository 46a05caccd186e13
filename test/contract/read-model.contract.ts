import { expect } from 'chai';
import type { PositionedChanges, ReadModelStore } from '../../src/application/ports/read-model.js';
import { ALL_GROUPS, groupOfChange, withDependencies, type ProjectionGroup } from '../../src/application/read-models/groups.js';
import { positionOf } from '../../src/application/ports/position.js';
import type { AnyDomainEvent } from '../../src/domain/events.js';
import { DEFAULT_GAME_OPTIONS } from '../../src/domain/invite/options.js';
import {
  accepted,
  ALICE,
  allRead,
  markedRead,
  at,
  befriended,
  blocked,
  claimed,
  BOB,
  canceled,
  CAROL,
  chatCreated,
  CHAT_AB,
  CHAT_AC,
  DAVE,
  declined,
  erasedUser,
  ERIN,
  EventLog,
  feed,
  invited,
  liked,
  notificationRead,
  offline,
  online,
  profileUpdated,
  PROJECTION,
  read,
  registered,
  scriptedHistory,
  sent,
  snapshot,
  tournament,
  unblocked,
  user,
  uuid,
  type TestUser,
} from './read-model-fixtures.js';

export interface ReadModelHarness {
  readonly store: ReadModelStore;
  readonly cleanup: () => Promise<void>;
}

const ALL = { limit: 100, offset: 0 };
const CHAT_AD = uuid(0xad);
const msg = (n: number): string => uuid(0x2000 + n);

/**
 * What every ReadModelStore must do, fed through `projectEvent` + `apply` as in production.
 * `make` may be called several times per test (stores compared with each other).
 */
export const readModelContract = (name: string, make: () => Promise<ReadModelHarness>): void => {
  describe(`ReadModelStore contract: ${name}`, () => {
    const harnesses: ReadModelHarness[] = [];
    let store: ReadModelStore;
    let log: EventLog;

    const fresh = async (): Promise<ReadModelStore> => {
      const h = await make();
      harnesses.push(h);
      return h.store;
    };
    const give = (...events: AnyDomainEvent[]): Promise<unknown> => feed(store, log, ...events);
    const registerAll = (...users: TestUser[]): Promise<unknown> => give(...users.map((u, i) => registered(u, i + 1)));

    beforeEach(async () => {
      store = await fresh();
      log = new EventLog();
    });

    afterEach(async () => {
      for (const h of harnesses.splice(0)) await h.cleanup();
    });

    describe('users', () => {
      it('answers by id and by username, with profile updates and presence', async () => {
        await registerAll(ALICE, BOB);
        await give(profileUpdated({ ...ALICE, nickname: 'Al', avatar: 'https://a/al.png' }, 5), online(BOB, 6));
        expect(await store.userById(ALICE.id)).to.deep.equal({
          userId: ALICE.id,
          username: 'alice',
          nickname: 'Al',
          avatar: 'https://a/al.png',
          isOnline: false,
        });
        expect((await store.userByUsername('bob'))?.isOnline).to.equal(true);
        expect(await store.userByUsername('nobody')).to.equal(undefined);
        expect(await store.userById('id-nobody')).to.equal(undefined);
        expect(await store.onlineUserIds()).to.deep.equal([BOB.id]);
        await give(online(ALICE, 7), offline(BOB, 8));
        expect(await store.onlineUserIds()).to.deep.equal([ALICE.id]);
        expect((await store.userById(ALICE.id))?.nickname, 'presence keeps the profile').to.equal('Al');
      });

      it('pages user ids in id order', async () => {
        await registerAll(DAVE, ALICE, CAROL, BOB);
        expect(await store.userIdsAfter(undefined, 10)).to.deep.equal([ALICE.id, BOB.id, CAROL.id, DAVE.id]);
        expect(await store.userIdsAfter(undefined, 2)).to.deep.equal([ALICE.id, BOB.id]);
        expect(await store.userIdsAfter(BOB.id, 2)).to.deep.equal([CAROL.id, DAVE.id]);
        expect(await store.userIdsAfter(DAVE.id, 2)).to.deep.equal([]);
        expect(await store.userIdsAfter(undefined, 0)).to.deep.equal([]);
      });

      it('resolves a reused username to its latest claim', async () => {
        const newcomer: TestUser = { id: 'id-newcomer', username: 'alice', nickname: 'New', avatar: '' };
        await registerAll(ALICE);
        await give(registered(newcomer, 2));
        expect((await store.userByUsername('alice'))?.userId).to.equal(newcomer.id);
        await give(profileUpdated({ ...ALICE, username: 'alicia' }, 3));
        expect((await store.userByUsername('alicia'))?.userId).to.equal(ALICE.id);
        expect((await store.userByUsername('alice'))?.userId).to.equal(newcomer.id);
      });

      it('a claim leaves the name to its claimant: everyone else showing it is shown without one, in every answer', async () => {
        const newcomer: TestUser = { id: 'id-newcomer', username: 'alice', nickname: 'New', avatar: '' };
        await registerAll(ALICE, BOB);
        await give(claimed(ALICE, undefined, 3), chatCreated(CHAT_AB, ALICE, BOB, 4), sent(CHAT_AB, msg(1), ALICE, 1, 5), blocked(BOB, ALICE, 6));
        await give(registered(newcomer, 7), claimed(newcomer, ALICE, 8));
        expect((await store.userByUsername('alice'))?.userId).to.equal(newcomer.id);
        expect(await store.userById(ALICE.id)).to.deep.include({ username: '', nickname: ALICE.nickname });
        expect((await store.chatPreview(BOB.id, CHAT_AB))?.username, 'the chat stays, without the name').to.equal('');
        expect((await store.messages(CHAT_AB, ALL)).items.map((m) => m.sender)).to.deep.equal(['']);
        expect((await store.blocks(BOB.id, ALL)).items.map((u) => [u.userId, u.username])).to.deep.equal([[ALICE.id, '']]);
        // Alice presenting the name again takes it back.
        await give(profileUpdated(ALICE, 9), claimed(ALICE, newcomer, 10));
        expect((await store.userByUsername('alice'))?.userId).to.equal(ALICE.id);
        expect((await store.userById(newcomer.id))?.username).to.equal('');
        expect((await store.chatPreview(BOB.id, CHAT_AB))?.username).to.equal('alice');
      });
    });

    describe('erasure', () => {
      const ALIAS = 'erased-0123456789abcdef01234567';
      /** Alice and Bob chat, Alice invites and befriends Bob, Bob blocks her: everything that shows Alice to Bob. */
      const history = (): AnyDomainEvent[] => [
        registered(ALICE, 1),
        registered(BOB, 2),
        claimed(ALICE, undefined, 3),
        chatCreated(CHAT_AB, ALICE, BOB, 4),
        sent(CHAT_AB, msg(1), ALICE, 1, 5, 'alice says hi'),
        sent(CHAT_AB, msg(2), BOB, 2, 6, 'bob answers'),
        sent(CHAT_AB, msg(3), ALICE, 3, 7, 'alice again'),
        invited(uuid(0x300), ALICE, BOB, 8),
        befriended(ALICE, BOB, 9),
        blocked(BOB, ALICE, 10),
      ];
      /** How Bob sees Alice once she is erased, in every answer. */
      const expectErased = async (s: ReadModelStore): Promise<void> => {
        expect(await s.userById(ALICE.id)).to.deep.equal({ userId: ALICE.id, username: ALIAS, nickname: '', avatar: '', isOnline: false, erased: true });
        expect((await s.userByUsername(ALIAS))?.userId, 'found by the alias').to.equal(ALICE.id);
        expect(await s.userByUsername(ALICE.username), 'no longer by the name').to.equal(undefined);
        const preview = await s.chatPreview(BOB.id, CHAT_AB);
        expect(preview).to.deep.include({ username: ALIAS, nickname: '', avatar: '', erased: true });
        expect(preview?.last_message).to.deep.include({ content: '', sender: ALIAS, erased: true });
        expect((await s.chatPreviews(BOB.id, ALL)).items[0]).to.deep.equal(preview);
        const messages = await s.messages(CHAT_AB, ALL);
        expect(messages.items.map((m) => [m.content, m.sender, m.erased])).to.deep.equal([
          ['', ALIAS, true],
          ['bob answers', BOB.username, undefined],
          ['', ALIAS, true],
        ]);
        expect(await s.message(CHAT_AB, msg(2)), 'bob’s own message as it was').to.not.have.property('erased');
        const notifications = (await s.notifications(BOB.id, 'all', ALL)).items;
        expect(notifications.map((n) => [n.action, n.data['username'], n.data['nickname'], n.data['erased']])).to.have.deep.members([
          ['game_invite', ALIAS, '', true],
          ['new_friend', ALIAS, '', true],
        ]);
        expect((await s.blocks(BOB.id, ALL)).items).to.deep.equal([
          { userId: ALICE.id, username: ALIAS, nickname: '', avatar: '', isOnline: false, erased: true },
        ]);
        expect(await s.userById(BOB.id), 'bob untouched').to.not.have.property('erased');
      };

      it('overwrites an erased user’s profile and message contents in every answer; the other member keeps the chat', async () => {
        await give(...history());
        expect((await store.chatPreview(BOB.id, CHAT_AB))?.username, 'before').to.equal(ALICE.username);
        await give(erasedUser(ALICE, ALIAS, 20));
        await expectErased(store);
      });

      it('a rebuild after the erasure (events decoded as erased) answers the same as the live store', async () => {
        await give(...history(), erasedUser(ALICE, ALIAS, 20));
        const rebuilt = await fresh();
        const replay = new EventLog();
        // As decoded once Alice's keys are gone: her profile and messages read as erased.
        const asDecoded = history().map((e) => {
          if (e.type === 'UserRegistered' && e.data.userId === ALICE.id)
            return { erased: true, event: { ...e, data: { ...e.data, username: ALIAS, nickname: '', avatar: '' } } };
          if (e.type === 'UsernameClaimed' && e.data.userId === ALICE.id) return { erased: true, event: { ...e, data: { ...e.data, username: ALIAS } } };
          if (e.type === 'MessageSent' && e.data.senderId === ALICE.id) return { erased: true, event: { ...e, data: { ...e.data, content: '' } } };
          return { erased: false, event: e };
        });
        for (const { erased, event } of asDecoded) await rebuilt.apply(PROJECTION, replay.appendAs(erased, event));
        await rebuilt.apply(PROJECTION, replay.append(erasedUser(ALICE, ALIAS, 20)));
        await expectErased(rebuilt);
      });

      it('a user registered afresh after the erasure is shown again; the old messages stay erased', async () => {
        await give(...history(), erasedUser(ALICE, ALIAS, 20));
        await give(registered({ ...ALICE, username: 'alice2', nickname: 'Back' }, 21), sent(CHAT_AB, msg(4), ALICE, 4, 22, 'new words'));
        expect(await store.userById(ALICE.id)).to.deep.equal({ userId: ALICE.id, username: 'alice2', nickname: 'Back', avatar: ALICE.avatar, isOnline: false });
        expect((await store.chatPreview(BOB.id, CHAT_AB))?.erased).to.equal(undefined);
        expect((await store.messages(CHAT_AB, ALL)).items.map((m) => [m.content, m.erased])).to.deep.equal([
          ['new words', undefined],
          ['', true],
          ['bob answers', undefined],
          ['', true],
        ]);
      });

      it('an erasure delivered again changes nothing', async () => {
        await give(...history());
        const [erasure] = log.append(erasedUser(ALICE, ALIAS, 20));
        if (erasure === undefined) throw new Error('no batch');
        await store.apply(PROJECTION, [erasure]);
        await store.apply(PROJECTION, [erasure]);
        await expectErased(store);
      });
    });

    describe('chats', () => {
      it('knows members, the chats of a user and the chat of a message', async () => {
        await registerAll(ALICE, BOB, CAROL);
        await give(chatCreated(CHAT_AB, ALICE, BOB, 10), sent(CHAT_AB, msg(1), BOB, 1, 11));
        expect(await store.chat(CHAT_AB)).to.deep.equal({ chatId: CHAT_AB, members: [ALICE.id, BOB.id] });
        expect(await store.chat(uuid(0xfff))).to.equal(undefined);
        expect(await store.chatIdsOf(BOB.id)).to.deep.equal([CHAT_AB]);
        expect(await store.chatIdsOf(CAROL.id)).to.deep.equal([]);
        expect((await store.messageRecord(msg(1)))?.chatId).to.equal(CHAT_AB);
        expect((await store.messageRecord(msg(2)))?.chatId).to.equal(undefined);
      });

      it("answers a message's record (chat, sender, seq, liked) by its id, as like and read commands need it", async () => {
        await registerAll(ALICE, BOB);
        await give(chatCreated(CHAT_AB, ALICE, BOB, 10), sent(CHAT_AB, msg(1), BOB, 1, 11), sent(CHAT_AB, msg(2), ALICE, 2, 12));
        expect(await store.messageRecord(msg(1))).to.deep.equal({ chatId: CHAT_AB, senderId: BOB.id, seq: 1, liked: false });
        expect(await store.messageRecord(msg(3))).to.equal(undefined);
        await give(liked(CHAT_AB, msg(1), ALICE, 13));
        expect(await store.messageRecord(msg(1))).to.deep.equal({ chatId: CHAT_AB, senderId: BOB.id, seq: 1, liked: true });
        expect(await store.messageRecord(msg(2))).to.deep.equal({ chatId: CHAT_AB, senderId: ALICE.id, seq: 2, liked: false });
        await give(liked(CHAT_AB, msg(1), ALICE, 14, false));
        expect((await store.messageRecord(msg(1)))?.liked).to.equal(false);
      });

      it('lists previews by most recent activity, paged, with the peer and the last message', async () => {
        await registerAll(ALICE, BOB, CAROL, DAVE);
        await give(chatCreated(CHAT_AB, ALICE, BOB, 10), chatCreated(CHAT_AC, CAROL, ALICE, 11), chatCreated(CHAT_AD, ALICE, DAVE, 12));
        const order = async (viewer: TestUser, page = ALL) => (await store.chatPreviews(viewer.id, page)).items.map((p) => p.chat_id);
        expect(await order(ALICE), 'empty chats by creation').to.deep.equal([CHAT_AD, CHAT_AC, CHAT_AB]);
        expect((await store.chatPreviews(ALICE.id, ALL)).items[0]?.last_message).to.equal(null);

        await give(sent(CHAT_AB, msg(1), BOB, 1, 20, 'hello'));
        expect(await order(ALICE)).to.deep.equal([CHAT_AB, CHAT_AD, CHAT_AC]);
        await give(sent(CHAT_AC, msg(2), ALICE, 1, 21));
        expect(await order(ALICE)).to.deep.equal([CHAT_AC, CHAT_AB, CHAT_AD]);
        expect(await store.chatIdsOf(ALICE.id)).to.deep.equal([CHAT_AC, CHAT_AB, CHAT_AD]);
        expect(await order(CAROL)).to.deep.equal([CHAT_AC]);

        expect(await store.chatPreviews(ALICE.id, { limit: 2, offset: 1 })).to.deep.include({ count: 3 });
        expect(await order(ALICE, { limit: 2, offset: 1 })).to.deep.equal([CHAT_AB, CHAT_AD]);
        expect(await store.chatPreviews(ALICE.id, { limit: 2, offset: 3 })).to.deep.equal({ items: [], count: 3 });
        expect(await store.chatPreviews(ALICE.id, { limit: 0, offset: 0 })).to.deep.equal({ items: [], count: 3 });
        expect(await store.chatPreviews(ERIN.id, ALL)).to.deep.equal({ items: [], count: 0 });

        const ab = {
          chat_id: CHAT_AB,
          username: 'bob',
          nickname: BOB.nickname,
          avatar: BOB.avatar,
          is_online: false,
          unread_messages_count: 1,
          last_message: { id: msg(1), content: 'hello', date: at(20), sender: 'bob', is_read: false, is_liked: false },
          is_blocked_user: false,
          is_blocked_by_user: false,
        };
        expect((await store.chatPreviews(ALICE.id, ALL)).items[1]).to.deep.equal(ab);
        expect(await store.chatPreview(ALICE.id, CHAT_AB)).to.deep.equal(ab);
        const bobsView = await store.chatPreview(BOB.id, CHAT_AB);
        expect(bobsView).to.deep.include({ username: 'alice', unread_messages_count: 0 });
        expect(bobsView?.last_message?.sender).to.equal('bob');
        expect(await store.chatPreview(CAROL.id, CHAT_AB), 'not a member').to.equal(undefined);
        await give(online(BOB, 22));
        expect((await store.chatPreview(ALICE.id, CHAT_AB))?.is_online).to.equal(true);
      });

      it('counts unread messages from the peer, moving with the read watermark', async () => {
        await registerAll(ALICE, BOB);
        await give(
          chatCreated(CHAT_AB, ALICE, BOB, 10),
          sent(CHAT_AB, msg(1), BOB, 1, 11),
          sent(CHAT_AB, msg(2), BOB, 2, 12),
          sent(CHAT_AB, msg(3), BOB, 3, 13),
          sent(CHAT_AB, msg(4), ALICE, 4, 14),
        );
        await give(sent(CHAT_AB, msg(5), BOB, 5, 15));
        const unread = async (u: TestUser) => (await store.chatPreview(u.id, CHAT_AB))?.unread_messages_count;
        const readFlags = async () => (await store.messages(CHAT_AB, ALL)).items.map((m) => m.is_read);
        expect(await unread(ALICE)).to.equal(4);
        expect(await unread(BOB)).to.equal(1);
        expect(await readFlags()).to.deep.equal([false, false, false, false, false]);

        await give(read(CHAT_AB, ALICE, BOB, msg(2), 2, 20));
        expect(await unread(ALICE)).to.equal(2);
        expect(await readFlags(), 'seq 5..1').to.deep.equal([false, false, false, true, true]);

        await give(read(CHAT_AB, ALICE, BOB, msg(1), 1, 21));
        expect(await unread(ALICE), 'the watermark never moves back').to.equal(2);
        expect(await readFlags()).to.deep.equal([false, false, false, true, true]);

        await give(read(CHAT_AB, BOB, ALICE, msg(4), 4, 22));
        expect(await unread(BOB)).to.equal(0);
        expect(await readFlags()).to.deep.equal([false, true, false, true, true]);

        await give(read(CHAT_AB, ALICE, BOB, msg(5), 5, 23));
        expect(await unread(ALICE)).to.equal(0);
        expect((await store.chatPreview(ALICE.id, CHAT_AB))?.last_message?.is_read).to.equal(true);
        await give(sent(CHAT_AB, msg(6), BOB, 6, 24));
        expect(await unread(ALICE)).to.equal(1);
        expect((await store.chatPreview(ALICE.id, CHAT_AB))?.last_message).to.deep.include({ id: msg(6), is_read: false });
      });

      it('pages messages newest first, with likes', async () => {
        await registerAll(ALICE, BOB);
        await give(chatCreated(CHAT_AB, ALICE, BOB, 10));
        for (let i = 1; i <= 5; i++) await give(sent(CHAT_AB, msg(i), i % 2 === 1 ? ALICE : BOB, i, 10 + i, `content ${i}`));
        const ids = async (limit: number, offset: number) => {
          const page = await store.messages(CHAT_AB, { limit, offset });
          expect(page.count).to.equal(5);
          return page.items.map((m) => m.id);
        };
        expect(await ids(2, 0)).to.deep.equal([msg(5), msg(4)]);
        expect(await ids(2, 2)).to.deep.equal([msg(3), msg(2)]);
        expect(await ids(2, 4)).to.deep.equal([msg(1)]);
        expect(await ids(2, 5)).to.deep.equal([]);
        expect(await ids(2, 50)).to.deep.equal([]);
        expect(await ids(10, 0)).to.deep.equal([5, 4, 3, 2, 1].map(msg));
        expect(await ids(0, 0)).to.deep.equal([]);
        expect(await store.messages(uuid(0xfff), ALL)).to.deep.equal({ items: [], count: 0 });

        expect((await store.messages(CHAT_AB, { limit: 1, offset: 1 })).items[0]).to.deep.equal({
          id: msg(4),
          content: 'content 4',
          date: at(14),
          sender: 'bob',
          is_read: false,
          is_liked: false,
        });
        await give(liked(CHAT_AB, msg(4), ALICE, 20), liked(CHAT_AB, msg(3), BOB, 21));
        const likes = async () => (await store.messages(CHAT_AB, ALL)).items.map((m) => m.is_liked);
        expect(await likes()).to.deep.equal([false, true, true, false, false]);
        await give(liked(CHAT_AB, msg(4), ALICE, 22, false));
        expect(await likes()).to.deep.equal([false, false, true, false, false]);
        expect((await store.chatPreview(ALICE.id, CHAT_AB))?.last_message?.is_liked).to.equal(false);
      });
    });

    describe('notifications', () => {
      it('stores invitations, friendships and tournaments with the data their frames carry', async () => {
        await registerAll(ALICE, BOB, CAROL, DAVE);
        const options = { ...DEFAULT_GAME_OPTIONS, game_speed: 'fast' as const, time_limit: 5 };
        const invite = uuid(0x100);
        const cup = uuid(0x200);
        await give(invited(invite, BOB, ALICE, 10, options));
        const [friendship] = await feed(store, log, befriended(DAVE, ALICE, 11));
        const friendId = log.events[log.events.length - 1]?.eventId ?? '';
        expect(friendship?.changes[0]).to.deep.include({ notificationId: friendId });
        await give(tournament(cup, 'Cup', CAROL, 12));

        expect(await store.notifications(ALICE.id, 'all', ALL)).to.deep.equal({
          items: [
            { id: cup, action: 'new_tournament', data: { tournament_id: cup, tournament_name: 'Cup', creator: 'carol' }, is_read: false, date: at(12) },
            { id: friendId, action: 'new_friend', data: { username: 'dave', nickname: DAVE.nickname }, is_read: false, date: at(11) },
            {
              id: invite,
              action: 'game_invite',
              data: { id: invite, username: 'bob', nickname: BOB.nickname, avatar: BOB.avatar, options },
              is_read: false,
              date: at(10),
            },
          ],
          count: 3,
        });
        expect(await store.hasNotification(ALICE.id, invite)).to.equal(true);
        expect(await store.hasNotification(BOB.id, invite)).to.equal(false);
        expect(await store.hasNotification(ALICE.id, uuid(0xfff))).to.equal(false);

        await give(profileUpdated({ ...BOB, nickname: 'Bobby' }, 13));
        const inviteData = (await store.notifications(ALICE.id, 'all', ALL)).items[2]?.data;
        expect(inviteData, 'profiles are joined at read time').to.deep.include({ nickname: 'Bobby' });
      });

      it('filters all / unread / read, pages newest first, and marks read one, by invitation and all', async () => {
        await registerAll(ALICE, BOB, CAROL, DAVE);
        const invite = uuid(0x100);
        const cup = uuid(0x200);
        await give(invited(invite, BOB, ALICE, 10), befriended(DAVE, ALICE, 11), tournament(cup, 'Cup', CAROL, 12));
        const friendId = log.events[log.events.length - 2]?.eventId ?? '';
        const ids = async (u: TestUser, f: 'all' | 'unread' | 'read', page = ALL) => {
          const p = await store.notifications(u.id, f, page);
          return { ids: p.items.map((n) => n.id), count: p.count };
        };
        expect(await ids(ALICE, 'unread')).to.deep.equal({ ids: [cup, friendId, invite], count: 3 });
        expect(await ids(ALICE, 'read')).to.deep.equal({ ids: [], count: 0 });

        await give(accepted(invite, BOB, ALICE, 20));
        expect(await ids(ALICE, 'unread')).to.deep.equal({ ids: [cup, friendId], count: 2 });
        expect(await ids(ALICE, 'read')).to.deep.equal({ ids: [invite], count: 1 });
        expect(await ids(ALICE, 'all', { limit: 1, offset: 1 })).to.deep.equal({ ids: [friendId], count: 3 });
        expect(await ids(ALICE, 'all', { limit: 5, offset: 3 })).to.deep.equal({ ids: [], count: 3 });

        await give(notificationRead(ALICE, cup, 21));
        expect(await ids(ALICE, 'unread')).to.deep.equal({ ids: [friendId], count: 1 });
        expect(await ids(BOB, 'unread'), 'the same tournament is still unread for bob').to.deep.equal({ ids: [cup], count: 1 });

        await give(allRead(ALICE, 22));
        expect(await ids(ALICE, 'unread')).to.deep.equal({ ids: [], count: 0 });
        expect(await ids(ALICE, 'read')).to.deep.equal({ ids: [cup, friendId, invite], count: 3 });
        expect(await ids(BOB, 'unread')).to.deep.equal({ ids: [cup], count: 1 });

        await give(tournament(uuid(0x201), 'Later', BOB, 23));
        expect(await ids(ALICE, 'unread'), 'mark-all does not reach later notifications').to.deep.equal({ ids: [uuid(0x201)], count: 1 });
      });

      it('names the unread notifications (mark all as read), and marks read exactly the ones an event names', async () => {
        await registerAll(ALICE, BOB, CAROL, DAVE);
        const invite = uuid(0x100);
        const cup = uuid(0x200);
        await give(invited(invite, BOB, ALICE, 10), befriended(DAVE, ALICE, 11), tournament(cup, 'Cup', CAROL, 12));
        const friendId = log.events[log.events.length - 2]?.eventId ?? '';
        const unread = async (u: TestUser) => [...(await store.unreadNotificationIds(u.id))].sort();
        expect(await unread(ALICE)).to.deep.equal([cup, friendId, invite].sort());
        expect(await unread(BOB)).to.deep.equal([cup]);
        expect(await unread(CAROL), 'the organizer').to.deep.equal([]);

        await give(notificationRead(ALICE, friendId, 13));
        expect(await unread(ALICE)).to.deep.equal([cup, invite].sort());

        await give(markedRead(ALICE, [cup], 14));
        expect(await unread(ALICE), 'only the named one').to.deep.equal([invite]);
        expect(await unread(BOB), 'the same tournament is still unread for bob').to.deep.equal([cup]);
        const read = (await store.notifications(ALICE.id, 'read', ALL)).items.map((n) => n.id);
        expect([...read].sort()).to.deep.equal([cup, friendId].sort());
      });

      it('marks an invitation read when declined or canceled', async () => {
        await registerAll(ALICE, BOB, CAROL);
        await give(invited(uuid(0x100), BOB, ALICE, 10), declined(uuid(0x100), BOB, ALICE, 11));
        await give(invited(uuid(0x101), CAROL, ALICE, 12));
        expect((await store.notifications(ALICE.id, 'unread', ALL)).items.map((n) => n.id)).to.deep.equal([uuid(0x101)]);
        await give(canceled(uuid(0x101), CAROL, ALICE, 13));
        expect(await store.notifications(ALICE.id, 'unread', ALL)).to.deep.equal({ items: [], count: 0 });
      });

      it('fans a tournament out to every known user but the organizer, not to later users', async () => {
        await registerAll(ALICE, BOB, CAROL, DAVE);
        const cup = uuid(0x200);
        await give(tournament(cup, 'Cup', CAROL, 10), registered(ERIN, 11));
        for (const u of [ALICE, BOB, DAVE]) expect(await store.hasNotification(u.id, cup), u.username).to.equal(true);
        expect(await store.hasNotification(CAROL.id, cup), 'organizer').to.equal(false);
        expect(await store.hasNotification(ERIN.id, cup), 'registered later').to.equal(false);
        expect(await store.notifications(ERIN.id, 'all', ALL)).to.deep.equal({ items: [], count: 0 });
      });

      it('leaves out of a tournament the users its event excludes (blocks), and only them', async () => {
        await registerAll(ALICE, BOB, CAROL, DAVE);
        const cup = uuid(0x202);
        await give(tournament(cup, 'Cup', CAROL, 10, [ALICE, DAVE]));
        expect(await store.hasNotification(BOB.id, cup), 'bob').to.equal(true);
        for (const u of [ALICE, CAROL, DAVE]) expect(await store.hasNotification(u.id, cup), u.username).to.equal(false);
      });
    });

    describe('blocks', () => {
      it('lists the users I blocked, most recent first, paged; previews show both directions', async () => {
        await registerAll(ALICE, BOB, CAROL, DAVE);
        await give(chatCreated(CHAT_AB, ALICE, BOB, 9));
        await give(blocked(ALICE, BOB, 10), blocked(ALICE, CAROL, 11), blocked(ALICE, DAVE, 12), unblocked(ALICE, CAROL, 13));
        const names = async (page = ALL) => {
          const p = await store.blocks(ALICE.id, page);
          return { names: p.items.map((u) => u.username), count: p.count };
        };
        expect(await names()).to.deep.equal({ names: ['dave', 'bob'], count: 2 });
        expect(await names({ limit: 1, offset: 1 })).to.deep.equal({ names: ['bob'], count: 2 });
        expect(await names({ limit: 1, offset: 2 })).to.deep.equal({ names: [], count: 2 });
        expect((await store.blocks(ALICE.id, ALL)).items[0]).to.deep.equal({
          userId: DAVE.id,
          username: 'dave',
          nickname: DAVE.nickname,
          avatar: DAVE.avatar,
          isOnline: false,
        });
        expect(await store.blocks(BOB.id, ALL)).to.deep.equal({ items: [], count: 0 });

        expect(await store.chatPreview(ALICE.id, CHAT_AB)).to.deep.include({ is_blocked_user: true, is_blocked_by_user: false });
        expect(await store.chatPreview(BOB.id, CHAT_AB)).to.deep.include({ is_blocked_user: false, is_blocked_by_user: true });

        await give(blocked(ALICE, CAROL, 14), unblocked(ALICE, BOB, 15));
        expect(await names()).to.deep.equal({ names: ['carol', 'dave'], count: 2 });
        expect(await store.chatPreview(BOB.id, CHAT_AB)).to.deep.include({ is_blocked_user: false, is_blocked_by_user: false });
      });
    });

    describe('checkpoints, redelivery and reset', () => {
      it('keeps a checkpoint per projection at the last applied position', async () => {
        expect(await store.checkpoint(PROJECTION)).to.equal(undefined);
        await registerAll(ALICE, BOB, CAROL);
        expect(await store.checkpoint(PROJECTION)).to.deep.equal(positionOf(3));
        expect(await store.checkpoint('other')).to.equal(undefined);
        await store.apply(PROJECTION, []);
        expect(await store.checkpoint(PROJECTION)).to.deep.equal(positionOf(3));
        // EventStoreDB positions: commit and prepare differ, and may exceed 2^63.
        const far = { commit: 2n ** 63n + 5n, prepare: 2n ** 63n + 3n };
        await store.apply('esdb', [{ position: far, changes: [] }]);
        expect(await store.checkpoint('esdb')).to.deep.equal(far);
        await store.apply('esdb', [{ position: { commit: 7n, prepare: 7n }, changes: [] }]);
        expect(await store.checkpoint('esdb'), 'never moves back').to.deep.equal(far);
      });

      it('treats redelivery of already-applied batches as a no-op', async () => {
        const script = scriptedHistory();
        const batches = script.log.batches(7);
        for (const b of batches) await store.apply(PROJECTION, b);
        const before = await snapshot(store, script);
        const checkpoint = await store.checkpoint(PROJECTION);
        expect(checkpoint).to.deep.equal(positionOf(script.log.events.length));
        for (const b of batches) await store.apply(PROJECTION, b);
        await store.apply(PROJECTION, script.log.batches(1000)[0] ?? []);
        expect(await snapshot(store, script)).to.deep.equal(before);
        expect(await store.checkpoint(PROJECTION)).to.deep.equal(checkpoint);
      });

      it('applies only the new part of a batch overlapping the checkpoint', async () => {
        const script = scriptedHistory();
        const all = script.log.batches(1000)[0] ?? [];
        await store.apply(PROJECTION, all.slice(0, 25));
        await store.apply(PROJECTION, all.slice(15, 35));
        await store.apply(PROJECTION, all.slice(30));
        const once = await fresh();
        await once.apply(PROJECTION, all);
        expect(await snapshot(store, script)).to.deep.equal(await snapshot(once, script));
      });

      it('reset() drops every row and checkpoint, and a replay rebuilds the same answers', async () => {
        const script = scriptedHistory();
        const empty = await snapshot(store, script);
        const all = script.log.batches(1000)[0] ?? [];
        await store.apply(PROJECTION, all);
        const full = await snapshot(store, script);
        expect(full).to.not.deep.equal(empty);
        await store.reset();
        expect(await store.checkpoint(PROJECTION)).to.equal(undefined);
        expect(await snapshot(store, script)).to.deep.equal(empty);
        await store.apply(PROJECTION, all);
        expect(await snapshot(store, script)).to.deep.equal(full);
      });

      it('reset(groups) empties only those read models and every checkpoint; replaying their changes restores them', async () => {
        const script = scriptedHistory();
        const all = script.log.batches(1000)[0] ?? [];
        await store.apply(PROJECTION, all);
        await store.apply('other', [{ position: positionOf(1), changes: [] }]);
        const full = await snapshot(store, script);
        const onlyGroups = (groups: readonly ProjectionGroup[]): PositionedChanges[] =>
          all.map((e) => ({ position: e.position, changes: e.changes.filter((c) => groups.includes(groupOfChange(c.kind))) }));

        await store.reset(['chats']);
        expect(await store.checkpoint(PROJECTION)).to.equal(undefined);
        expect(await store.checkpoint('other'), 'every checkpoint').to.equal(undefined);
        expect(await store.chat(CHAT_AB)).to.equal(undefined);
        expect(await store.chatIdsOf(ALICE.id)).to.deep.equal([]);
        expect(await store.chatPreviews(ALICE.id, ALL)).to.deep.equal({ items: [], count: 0 });
        expect(await store.messages(CHAT_AB, ALL)).to.deep.equal({ items: [], count: 0 });
        expect((await store.messageRecord(script.messages[0] ?? ''))?.chatId).to.equal(undefined);
        expect(await store.userById(ALICE.id), 'users kept').to.deep.include({ username: 'alice' });
        expect(await store.onlineUserIds(), 'presence kept').to.deep.equal([BOB.id]);
        expect((await store.notifications(DAVE.id, 'all', ALL)).count, 'notifications kept').to.equal(3);
        expect((await store.blocks(ALICE.id, ALL)).count, 'blocks kept').to.equal(2);
        await store.apply(PROJECTION, onlyGroups(['chats']));
        expect(await snapshot(store, script)).to.deep.equal(full);

        // Notifications with the users they read (groups.ts): the fan-out reaches the users known then.
        await store.reset(['users', 'notifications', 'blocks']);
        expect(await store.userIdsAfter(undefined, 10)).to.deep.equal([]);
        expect(await store.notifications(DAVE.id, 'all', ALL)).to.deep.equal({ items: [], count: 0 });
        expect(await store.blocks(ALICE.id, ALL)).to.deep.equal({ items: [], count: 0 });
        expect(await store.chatIdsOf(ALICE.id), 'chats kept').to.deep.equal([CHAT_AC, CHAT_AB]);
        await store.apply(PROJECTION, onlyGroups(['users', 'notifications', 'blocks']));
        expect(await snapshot(store, script)).to.deep.equal(full);

        // As a rebuild of one read model does it: the group with what it reads, from the start.
        for (const group of ALL_GROUPS) {
          const groups = withDependencies(group);
          await store.reset(groups);
          await store.apply(PROJECTION, onlyGroups(groups));
          expect(await snapshot(store, script), group).to.deep.equal(full);
          expect(await store.checkpoint(PROJECTION)).to.deep.equal(positionOf(script.log.events.length));
        }
      });
    });

    it('answers the scripted history as expected (spot checks)', async () => {
      const script = scriptedHistory();
      for (const b of script.log.batches(5)) await store.apply(PROJECTION, b);
      const alice = await store.chatPreviews(ALICE.id, ALL);
      expect(alice.items.map((p) => [p.chat_id, p.unread_messages_count])).to.deep.equal([
        [CHAT_AC, 1],
        [CHAT_AB, 0],
      ]);
      expect(alice.items[0]).to.deep.include({ nickname: 'Caz', is_blocked_user: true });
      expect((await store.notifications(DAVE.id, 'all', ALL)).items.map((n) => [n.action, n.is_read])).to.deep.equal([
        ['game_invite', true],
        ['new_tournament', false],
        ['new_tournament', true],
      ]);
      expect(await store.hasNotification(ERIN.id, uuid(0x200))).to.equal(false);
      expect([...(await store.unreadNotificationIds(BOB.id))], 'the one Bob marked read is read, the other not').to.deep.equal([uuid(0x200)]);
      expect(await store.onlineUserIds()).to.deep.equal([BOB.id]);
      expect((await store.userById(user('carol').id))?.nickname).to.equal('Caz');
    });
  });
};
