import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { ReceivedFrame, TestClient } from '../support/test-client.js';
import {
  chatBetween,
  drain,
  expectStillOpen,
  ISO_UTC,
  itemsOf,
  MESSAGE_KEYS,
  newUser,
  nextMessage,
  notPresence,
  ping,
  UUID,
  type User,
  serviceFixture,
} from './support.js';

const DEFAULT_OPTIONS = { game_speed: 'medium', ranked: false, cool_mode: false, score_to_win: 5, time_limit: 3 };

describe('WebSocket gateway: the 17 client actions (happy paths, exact payloads)', () => {
  const fixture = serviceFixture();

  const tabs = async (user: User, n = 1): Promise<TestClient[]> => {
    const opened = await Promise.all(Array.from({ length: n }, () => user.connectReady()));
    opened.forEach((c) => fixture.keep(c));
    return opened;
  };
  const tab = async (user: User): Promise<TestClient> => (await tabs(user, 1))[0] as TestClient;

  /** After a barrier on `client`, nothing but presence chatter arrived. */
  const expectNothingMore = async (client: TestClient, what = 'frames'): Promise<void> => {
    await ping(client);
    expect((await drain(client)).filter(notPresence), what).to.deep.equal([]);
  };

  const notifications = async (user: User, filter = 'all'): Promise<Record<string, unknown>[]> => {
    const res = await user.http('GET', `/api/notifications/?is_read=${filter}`);
    expect(res.status).to.equal(200);
    return itemsOf(res.body);
  };

  const inviteFrom = async (inviter: TestClient, invitee: User, inviteeTab: TestClient, options: object = {}): Promise<ReceivedFrame> => {
    inviter.send('game_invite', { username: invitee.name, client_id: randomUUID(), options });
    return inviteeTab.nextAction('game_invite');
  };

  it('new_message: to every tab of both members (sender included), with position, echoed timestamp, stored', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const bob = await newUser(fixture.svc, 'bob');
    const chatId = await chatBetween(alice, bob);
    const all = [...(await tabs(alice, 2)), ...(await tabs(bob, 2))];
    const sender = all[0] as TestClient;
    const timestamp = '2025-07-28T09:00:00Z';
    sender.send('new_message', { chat_id: chatId, content: '  Hello!  ', timestamp });

    const frames = await Promise.all(all.map((c) => c.nextAction('new_message')));
    const first = frames[0] as ReceivedFrame;
    for (const f of frames) expect(f).to.deep.equal(first);
    expect(Object.keys(first).sort()).to.deep.equal(['action', 'data', 'position']);
    expect(first.position).to.match(/^\d+(-\d+)?$/);
    expect(Object.keys(first.data).sort()).to.deep.equal(MESSAGE_KEYS);
    expect(first.data).to.include({ chat_id: chatId, content: 'Hello!', sender: alice.name, is_read: false, is_liked: false, timestamp });
    expect(first.data['id']).to.match(UUID);
    expect(first.data['date']).to.match(ISO_UTC);

    // A later message has a later position.
    (all[3] as TestClient).send('new_message', { chat_id: chatId, content: 'Hi back', timestamp: '2025-07-28T09:00:01.500Z' });
    const second = await Promise.all(all.map((c) => nextMessage(c, 'Hi back')));
    expect(second[0]?.data).to.include({ sender: bob.name, timestamp: '2025-07-28T09:00:01.500Z' });
    expect(BigInt(second[0]?.position ?? '0') > BigInt(first.position ?? '0')).to.equal(true);

    const stored = await bob.http('GET', `/api/chats/${alice.name}/messages`);
    expect(stored.status).to.equal(200);
    const items = itemsOf(stored.body);
    expect(items.map((m) => m['content'])).to.deep.equal(['Hi back', 'Hello!']);
    expect(items[1]).to.deep.equal({ id: first.data['id'], content: 'Hello!', date: first.data['date'], sender: alice.name, is_read: false, is_liked: false });
  });

  it('like_message / unlike_message: chat_like_update to the chat group; repeating either is a silent no-op', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const bob = await newUser(fixture.svc, 'bob');
    const chatId = await chatBetween(alice, bob);
    const [a1, a2] = (await tabs(alice, 2)) as [TestClient, TestClient];
    const b = await tab(bob);
    a1.send('new_message', { chat_id: chatId, content: 'like me', timestamp: new Date().toISOString() });
    const id = (await nextMessage(b, 'like me')).data['id'];
    for (const c of [a1, a2]) await nextMessage(c, 'like me');

    const expectUpdate = async (isLiked: boolean): Promise<void> => {
      const updates = await Promise.all([a1, a2, b].map((c) => c.nextAction('chat_like_update')));
      for (const u of updates) {
        expect(u.data).to.deep.equal({ chat_id: chatId, id, is_liked: isLiked });
        expect(u.position).to.be.a('string');
      }
    };
    const isLikedInRest = async (): Promise<unknown> => itemsOf((await alice.http('GET', `/api/chats/${bob.name}/messages`)).body)[0]?.['is_liked'];

    b.send('like_message', { id, chat_id: chatId });
    await expectUpdate(true);
    expect(await isLikedInRest()).to.equal(true);
    b.send('like_message', { id, chat_id: chatId });
    await expectNothingMore(b, 'second like: no frame, no error');
    await expectNothingMore(a1, 'second like seen by the other member');

    b.send('unlike_message', { id, chat_id: chatId });
    await expectUpdate(false);
    expect(await isLikedInRest()).to.equal(false);
    b.send('unlike_message', { id, chat_id: chatId });
    await expectNothingMore(b, 'second unlike: no frame, no error');
    await expectNothingMore(a2, 'second unlike seen by the other member');
  });

  it('read_message: chat_read_update to both members; the message and older ones from that sender become read, unread count 0', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const bob = await newUser(fixture.svc, 'bob');
    const chatId = await chatBetween(alice, bob);
    const a = await tab(alice);
    const b = await tab(bob);
    for (const content of ['one', 'two', 'three']) a.send('new_message', { chat_id: chatId, content, timestamp: new Date().toISOString() });
    const ids: unknown[] = [];
    for (const content of ['one', 'two', 'three']) {
      ids.push((await nextMessage(b, content)).data['id']);
      await nextMessage(a, content);
    }

    const preview = async (): Promise<Record<string, unknown> | undefined> =>
      itemsOf((await bob.http('GET', '/api/chats/')).body).find((p) => p['chat_id'] === chatId);
    expect((await preview())?.['unread_messages_count']).to.equal(3);

    // `chat_id` is optional; reading "two" reads "one" too.
    b.send('read_message', { id: ids[1] });
    const receipt = { chat_id: chatId, username: bob.name, id: ids[1] };
    const [toSender, toReader] = [await a.nextAction('chat_read_update'), await b.nextAction('chat_read_update')];
    expect(toSender.data, 'the sender sees its messages read').to.deep.equal(receipt);
    expect(toReader).to.deep.equal(toSender);
    expect(toSender.position).to.be.a('string');
    await expectNothingMore(b, 'nothing else for the reader');
    await expectNothingMore(a, 'nothing else for the sender');
    let items = itemsOf((await bob.http('GET', `/api/chats/${alice.name}/messages`)).body);
    expect(items.map((m) => [m['content'], m['is_read']])).to.deep.equal([
      ['three', false],
      ['two', true],
      ['one', true],
    ]);
    expect((await preview())?.['unread_messages_count']).to.equal(1);

    b.send('read_message', { id: ids[1], chat_id: chatId });
    await expectNothingMore(b, 'a read that does not move the mark sends nothing');
    await expectNothingMore(a, 'nor to the sender');
    b.send('read_message', { id: ids[2], chat_id: chatId });
    expect((await a.nextAction('chat_read_update')).data).to.deep.equal({ ...receipt, id: ids[2] });
    items = itemsOf((await bob.http('GET', `/api/chats/${alice.name}/messages`)).body);
    expect(items.every((m) => m['is_read'] === true)).to.equal(true);
    expect((await preview())?.['unread_messages_count']).to.equal(0);
  });

  it('game_invite: game_invite to every tab of the invitee with defaults applied, and a stored notification', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const bob = await newUser(fixture.svc, 'bob');
    const a = await tab(alice);
    const [b1, b2] = (await tabs(bob, 2)) as [TestClient, TestClient];
    a.send('game_invite', { username: bob.name, client_id: randomUUID(), options: { game_speed: 'fast', score_to_win: 7 } });
    const frames = await Promise.all([b1, b2].map((c) => c.nextAction('game_invite')));
    const invite = frames[0] as ReceivedFrame;
    expect(frames[1]).to.deep.equal(invite);
    expect(invite.position).to.be.a('string');
    expect(Object.keys(invite.data).sort()).to.deep.equal(['avatar', 'id', 'nickname', 'options', 'username']);
    expect(invite.data).to.deep.include({ username: alice.name, nickname: alice.nickname, avatar: alice.avatar });
    expect(invite.data['id']).to.match(UUID);
    expect(invite.data['options']).to.deep.equal({ ...DEFAULT_OPTIONS, game_speed: 'fast', score_to_win: 7 });
    await expectNothingMore(a, 'the inviter gets no game_invite');

    const stored = await notifications(bob, 'unread');
    expect(stored).to.have.length(1);
    expect(stored[0]).to.include({ action: 'game_invite', is_read: false });
    expect(stored[0]?.['id']).to.match(UUID);
    expect(stored[0]?.['date']).to.match(ISO_UTC);
    expect(await notifications(alice)).to.deep.equal([]);
  });

  it('game_invite without options: every default applied', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const bob = await newUser(fixture.svc, 'bob');
    const a = await tab(alice);
    const b = await tab(bob);
    a.send('game_invite', { username: bob.name, client_id: randomUUID() });
    expect((await b.nextAction('game_invite')).data['options']).to.deep.equal(DEFAULT_OPTIONS);
  });

  const expectGameStarted = async (a: TestClient, alice: User, b: TestClient, bob: User, options: object): Promise<void> => {
    const gameFrames = (c: TestClient) => c.next((f) => f.action === 'game_accepted' || f.action === 'game_found');
    const [aAccepted, bAccepted] = await Promise.all([gameFrames(a), gameFrames(b)]);
    const [aFound, bFound] = await Promise.all([gameFrames(a), gameFrames(b)]);
    expect([aAccepted?.action, aFound?.action, bAccepted?.action, bFound?.action]).to.deep.equal([
      'game_accepted',
      'game_found',
      'game_accepted',
      'game_found',
    ]);
    const gameId = aAccepted.data['game_id'];
    expect(gameId).to.match(UUID);
    expect(aAccepted.data).to.deep.equal({ game_id: gameId, username: bob.name, nickname: bob.nickname, avatar: bob.avatar });
    expect(bAccepted.data).to.deep.equal({ game_id: gameId, username: alice.name, nickname: alice.nickname, avatar: alice.avatar });
    expect(aFound.data).to.deep.equal({ game_id: gameId, opponent: bob.name, options });
    expect(bFound.data).to.deep.equal({ game_id: gameId, opponent: alice.name, options });
    for (const f of [aAccepted, aFound, bAccepted, bFound]) expect(f.position).to.be.a('string');
  };

  it('reply_game_invite accept: game_accepted then game_found to both; the notification is marked read (notification_read to the invitee)', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const bob = await newUser(fixture.svc, 'bob');
    const a = await tab(alice);
    const b = await tab(bob);
    const invite = await inviteFrom(a, bob, b, { ranked: true });
    b.send('reply_game_invite', { username: alice.name, accept: true });
    await expectGameStarted(a, alice, b, bob, { ...DEFAULT_OPTIONS, ranked: true });
    expect((await b.nextAction('notification_read')).data, 'the invitee’s tabs learn its notification is read').to.deep.equal({ ids: [invite.data['id']] });
    const read = await notifications(bob, 'read');
    expect(read.map((n) => [n['action'], n['is_read']])).to.deep.equal([['game_invite', true]]);
    expect(await notifications(bob, 'unread')).to.deep.equal([]);
  });

  it('reply_game_invite decline: game_declined to the inviter, notification_read of the invitation to the invitee; the invitation is over', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const bob = await newUser(fixture.svc, 'bob');
    const a = await tab(alice);
    const b = await tab(bob);
    const invite = await inviteFrom(a, bob, b);
    b.send('reply_game_invite', { username: alice.name, accept: false });
    const declined = await a.nextAction('game_declined');
    expect(declined.data).to.deep.equal({ username: bob.name, nickname: bob.nickname });
    expect(declined.position).to.be.a('string');
    expect((await b.nextAction('notification_read')).data).to.deep.equal({ ids: [invite.data['id']] });
    await expectNothingMore(b, 'the invitee is told nothing else');
    await expectNothingMore(a, 'the inviter gets no notification_read');
    expect((await notifications(bob, 'read')).map((n) => n['action'])).to.deep.equal(['game_invite']);
    // Nothing pending any more: a new invitation goes through.
    await inviteFrom(a, bob, b);
  });

  it('game_accepted shorthand: as reply_game_invite with accept true', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const bob = await newUser(fixture.svc, 'bob');
    const a = await tab(alice);
    const b = await tab(bob);
    await inviteFrom(a, bob, b, { time_limit: 1 });
    b.send('game_accepted', { username: alice.name });
    await expectGameStarted(a, alice, b, bob, { ...DEFAULT_OPTIONS, time_limit: 1 });
  });

  it('game_declined shorthand: as reply_game_invite with accept false', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const bob = await newUser(fixture.svc, 'bob');
    const a = await tab(alice);
    const b = await tab(bob);
    const invite = await inviteFrom(a, bob, b);
    b.send('game_declined', { username: alice.name });
    expect((await a.nextAction('game_declined')).data).to.deep.equal({ username: bob.name, nickname: bob.nickname });
    expect((await b.nextAction('notification_read')).data).to.deep.equal({ ids: [invite.data['id']] });
    await expectNothingMore(b);
  });

  it('cancel_game_invite: game_invite_canceled to both, echoing the client_id', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const bob = await newUser(fixture.svc, 'bob');
    const a = await tab(alice);
    const b = await tab(bob);
    const clientId = randomUUID();
    a.send('game_invite', { username: bob.name, client_id: clientId });
    await b.nextAction('game_invite');
    a.send('cancel_game_invite', { username: bob.name });
    const [toAlice, toBob] = await Promise.all([a.nextAction('game_invite_canceled'), b.nextAction('game_invite_canceled')]);
    expect(Object.keys(toBob.data).sort()).to.deep.equal(['client_id', 'message', 'nickname', 'username']);
    expect(toBob.data).to.include({ username: alice.name, nickname: alice.nickname, client_id: clientId });
    expect(toAlice.data).to.include({ username: bob.name, nickname: bob.nickname, client_id: clientId });
    expect(toBob.data['message']).to.be.a('string').and.not.equal('');
    expect(toAlice.data['message']).to.equal(toBob.data['message']);
    // One event, two frames: each has its own position within that event.
    expect(toBob.position).to.match(/^\d+\.0$/);
    expect(toAlice.position).to.equal(`${(toBob.position ?? '').split('.')[0] ?? ''}.1`);
  });

  it('add_new_friend: new_friend to the receiver, and a stored notification', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const bob = await newUser(fixture.svc, 'bob');
    const a = await tab(alice);
    const [b1, b2] = (await tabs(bob, 2)) as [TestClient, TestClient];
    a.send('add_new_friend', { sender_id: alice.id, receiver_id: bob.id });
    for (const b of [b1, b2]) {
      const f = await b.nextAction('new_friend');
      expect(f.data).to.deep.equal({ username: alice.name, nickname: alice.nickname });
      expect(f.position).to.be.a('string');
    }
    await expectNothingMore(a, 'the sender is told nothing');
    expect((await notifications(bob)).map((n) => [n['action'], n['is_read']])).to.deep.equal([['new_friend', false]]);
  });

  it('new_tournament: to every other online user (not the organizer); a notification for every known user', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const bob = await newUser(fixture.svc, 'bob');
    const carol = await newUser(fixture.svc, 'carol');
    const dave = await newUser(fixture.svc, 'dave'); // known, never connected
    const [a1, a2] = (await tabs(alice, 2)) as [TestClient, TestClient];
    const b = await tab(bob);
    const c = await tab(carol);
    const tournamentId = randomUUID();
    a1.send('new_tournament', { tournament_id: tournamentId, tournament_name: 'Spring Cup', organizer_id: alice.id });
    for (const client of [b, c]) {
      const f = await client.next((x) => x.action === 'new_tournament' && x.data['tournament_id'] === tournamentId);
      expect(f.data).to.deep.equal({ tournament_id: tournamentId, tournament_name: 'Spring Cup', creator: alice.name });
      expect(f.position).to.be.a('string');
    }
    await expectNothingMore(a1, 'the organizer gets no new_tournament');
    await expectNothingMore(a2, 'nor any of their tabs');
    for (const user of [bob, carol, dave]) {
      expect(
        (await notifications(user)).map((n) => n['action']),
        user.name,
      ).to.include('new_tournament');
    }
    expect((await notifications(alice)).map((n) => n['action'])).to.not.include('new_tournament');
  });

  it('read_notification: notification_read to every tab of the owner; then listed with is_read=read', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const bob = await newUser(fixture.svc, 'bob');
    const a = await tab(alice);
    const [b, b2] = (await tabs(bob, 2)) as [TestClient, TestClient];
    a.send('add_new_friend', { sender_id: alice.id, receiver_id: bob.id });
    await b.nextAction('new_friend');
    await b2.nextAction('new_friend');
    const [unread] = await notifications(bob, 'unread');
    const id = unread?.['id'];
    expect(id).to.match(UUID);
    b.send('read_notification', { id });
    const [mine, other] = [await b.nextAction('notification_read'), await b2.nextAction('notification_read')];
    expect(mine.data).to.deep.equal({ ids: [id] });
    expect(other).to.deep.equal(mine);
    await expectNothingMore(b, 'nothing else');
    await expectNothingMore(a, 'nothing to the other user');
    const read = await notifications(bob, 'read');
    expect(read.map((n) => [n['id'], n['is_read']])).to.deep.equal([[id, true]]);
    expect(await notifications(bob, 'false')).to.deep.equal([]);
    // Reading it again is not an error, and sends nothing.
    b.send('read_notification', { id });
    await expectNothingMore(b);
    await expectNothingMore(b2);
  });

  it('notification: only the sender’s own sockets, never another user', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const bob = await newUser(fixture.svc, 'bob');
    await chatBetween(alice, bob);
    const [a1, a2] = (await tabs(alice, 2)) as [TestClient, TestClient];
    const b = await tab(bob);
    a1.send('notification', { message: 'Saved!', type: 'info' });
    for (const a of [a1, a2]) {
      const f = await a.next((x) => x.action === 'notification' && x.data['type'] === 'info');
      expect(f.data).to.deep.equal({ message: 'Saved!', type: 'info' });
    }
    // Bob's own round trip is stored after Alice's notification: anything meant for him would be in before it.
    await ping(b);
    expect((await drain(b)).filter(notPresence)).to.deep.equal([]);
  });

  it('user_online / user_offline: own username re-announces presence to online_users', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const bob = await newUser(fixture.svc, 'bob');
    const a = await tab(alice);
    const b = await tab(bob);
    const isAbout = (action: string) => (f: ReceivedFrame) => f.action === action && f.data['username'] === alice.name;

    a.send('user_offline', { username: alice.name });
    const offline = await b.next(isAbout('user_offline'));
    expect(offline.data).to.deep.equal({ username: alice.name });
    expect(offline.position).to.be.a('string');

    a.send('user_online', { username: alice.name });
    const online = await b.next(isAbout('user_online'));
    expect(online.data).to.deep.equal({ username: alice.name });
    expect(BigInt(online.position ?? '0') > BigInt(offline.position ?? '0')).to.equal(true);
    await expectStillOpen(a);
  });

  it('join_chat: join_chat back to the socket (a reply, no position)', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const bob = await newUser(fixture.svc, 'bob');
    const chatId = await chatBetween(alice, bob);
    const a = await tab(alice);
    a.send('join_chat', { chat_id: chatId });
    const f = await a.nextAction('join_chat');
    expect(f).to.deep.equal({ action: 'join_chat', data: { chat_id: chatId } });
  });

  it('room_created: room_created to the chat group', async () => {
    const alice = await newUser(fixture.svc, 'alice');
    const bob = await newUser(fixture.svc, 'bob');
    const chatId = await chatBetween(alice, bob);
    const a = await tab(alice);
    const [b1, b2] = (await tabs(bob, 2)) as [TestClient, TestClient];
    a.send('room_created', { chat_id: chatId });
    const frames = await Promise.all([a, b1, b2].map((c) => c.nextAction('room_created')));
    for (const f of frames) {
      expect(f.data).to.deep.equal({ chat_id: chatId });
      expect(f.position).to.equal(frames[0]?.position);
    }
  });
});
