import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { TestClient } from '../support/test-client.js';
import type { TestService } from '../support/test-service.js';
import { Sockets, barrier, expectMsg, getNotifications, idOf, makeKnown, startHttpTestService, uniqueName, type Notification } from './http-helpers.js';

const DEFAULT_OPTIONS = { game_speed: 'medium', ranked: false, cool_mode: false, score_to_win: 5, time_limit: 3 };

const invite = (client: TestClient, username: string, options?: Record<string, unknown>): void =>
  client.send('game_invite', { username, client_id: randomUUID(), ...(options === undefined ? {} : { options }) });

const addFriend = (client: TestClient, sender: string, receiver: string): void =>
  client.send('add_new_friend', { sender_id: idOf(sender), receiver_id: idOf(receiver) });

const announce = (client: TestClient, organizer: string, name: string): string => {
  const id = randomUUID();
  client.send('new_tournament', { tournament_id: id, tournament_name: name, organizer_id: idOf(organizer) });
  return id;
};

const summary = (n: Notification): [string, boolean] => [n.action, n.is_read];

// Tournaments reach every known user: each test gets its own service so counts are exact.
describe('REST: notifications', function () {
  let svc: TestService;
  const sockets = new Sockets(() => svc);

  beforeEach(async () => {
    svc = await startHttpTestService();
  });
  afterEach(async () => {
    await sockets.closeAll();
    await svc.stop();
  });

  it('stores a game_invite notification for an online invitee, readable as soon as the frame arrived', async () => {
    const alice = uniqueName('alice');
    const bob = uniqueName('bob');
    await svc.http('GET', '/api/chats', { token: svc.token(alice, { nickname: 'Alice A.', avatar: 'https://img.example/alice.png' }) });
    await makeKnown(svc, bob);
    const b = await sockets.connect(bob);
    const a = await sockets.connect(alice, { token: svc.token(alice, { nickname: 'Alice A.', avatar: 'https://img.example/alice.png' }) });
    invite(a, bob, { game_speed: 'fast', score_to_win: 7 });
    const frame = await b.nextAction('game_invite');

    const page = await getNotifications(svc, bob);
    expect(page.count).to.equal(1);
    const [n] = page.items;
    expect(n).to.deep.include({ action: 'game_invite', is_read: false });
    expect(n?.data).to.deep.equal({
      id: frame.data['id'],
      username: alice,
      nickname: 'Alice A.',
      avatar: 'https://img.example/alice.png',
      options: { ...DEFAULT_OPTIONS, game_speed: 'fast', score_to_win: 7 },
    });
    expect(frame.data['options']).to.deep.equal(n?.data['options']);
    // Only the invitee is notified.
    expect(await getNotifications(svc, alice)).to.deep.equal({ items: [], count: 0 });
  });

  it('stores a game_invite notification for an offline invitee, and marks it read once declined', async () => {
    const alice = uniqueName('alice');
    const bob = uniqueName('bob');
    await makeKnown(svc, alice, bob);
    const a = await sockets.connect(alice);
    invite(a, bob);
    await barrier(a);

    const page = await getNotifications(svc, bob, '?is_read=unread');
    expect(page.count).to.equal(1);
    expect(page.items[0]?.action).to.equal('game_invite');
    expect(page.items[0]?.data).to.deep.include({ username: alice, nickname: alice, avatar: '', options: DEFAULT_OPTIONS });

    // bob comes online and declines: alice hears it, and the invitation is no longer unread news.
    const b = await sockets.connect(bob);
    b.send('reply_game_invite', { username: alice, accept: false });
    await a.nextAction('game_declined');
    expect((await getNotifications(svc, bob)).items.map(summary)).to.deep.equal([['game_invite', true]]);
    expect((await getNotifications(svc, bob, '?is_read=unread')).count).to.equal(0);
  });

  it('stores a new_friend notification for the receiver, online or offline', async () => {
    const alice = uniqueName('alice');
    const bob = uniqueName('bob');
    const carol = uniqueName('carol');
    await svc.http('GET', '/api/chats', { token: svc.token(alice, { nickname: 'Ally' }) });
    await makeKnown(svc, bob, carol);
    const b = await sockets.connect(bob);
    const a = await sockets.connect(alice, { token: svc.token(alice, { nickname: 'Ally' }) });

    addFriend(a, alice, bob);
    const frame = await b.nextAction('new_friend');
    expect(frame.data).to.deep.equal({ username: alice, nickname: 'Ally' });
    const bobs = await getNotifications(svc, bob);
    expect(bobs.count).to.equal(1);
    expect(bobs.items[0]).to.deep.include({ action: 'new_friend', is_read: false, data: { username: alice, nickname: 'Ally' } });

    addFriend(a, alice, carol);
    await barrier(a);
    const carols = await getNotifications(svc, carol);
    expect(carols.items.map((n) => [n.action, n.data])).to.deep.equal([['new_friend', { username: alice, nickname: 'Ally' }]]);
    expect(await getNotifications(svc, alice)).to.deep.equal({ items: [], count: 0 });
  });

  it('stores a new_tournament notification for every other known user, online or offline', async () => {
    const organizer = uniqueName('org');
    const online = uniqueName('online');
    const offline = [uniqueName('offline'), uniqueName('offline')];
    await makeKnown(svc, organizer, online, ...offline);
    const o = await sockets.connect(online);
    const org = await sockets.connect(organizer);
    const tournamentId = announce(org, organizer, 'Spring Cup');
    const frame = await o.nextAction('new_tournament');
    const expected = { tournament_id: tournamentId, tournament_name: 'Spring Cup', creator: organizer };
    expect(frame.data).to.deep.equal(expected);

    for (const user of [online, ...offline]) {
      const page = await getNotifications(svc, user);
      expect(page.count, user).to.equal(1);
      expect(page.items[0], user).to.deep.include({ action: 'new_tournament', is_read: false, data: expected });
    }
    // Not the organizer, who also got no frame of it.
    await barrier(org);
    expect(org.pending().filter((f) => f.action === 'new_tournament')).to.deep.equal([]);
    expect(await getNotifications(svc, organizer)).to.deep.equal({ items: [], count: 0 });
  });

  it('lists newest first and pages (default limit 10, limit 1, offset beyond the count)', async () => {
    const me = uniqueName('me');
    const friend = uniqueName('friend');
    const organizer = uniqueName('org');
    const inviter = uniqueName('inviter');
    await makeKnown(svc, me, friend, organizer, inviter);
    const [f, org, inv] = await Promise.all([sockets.connect(friend), sockets.connect(organizer), sockets.connect(inviter)]);

    addFriend(f, friend, me);
    await barrier(f);
    const tournaments: string[] = [];
    for (let i = 1; i <= 10; i++) tournaments.push(announce(org, organizer, `Cup ${i}`));
    await barrier(org);
    invite(inv, me);
    await barrier(inv);

    const first = await getNotifications(svc, me);
    expect(first.count).to.equal(12);
    expect(first.items).to.have.length(10);
    expect(first.items[0]?.action).to.equal('game_invite');
    expect(first.items.slice(1).map((n) => n.data['tournament_id'])).to.deep.equal([...tournaments].reverse().slice(0, 9));
    const dates = first.items.map((n) => Date.parse(n.date));
    expect(dates).to.deep.equal([...dates].sort((x, y) => y - x));

    const rest = await getNotifications(svc, me, '?offset=10');
    expect(rest.count).to.equal(12);
    expect(rest.items.map((n) => n.data['tournament_id'] ?? n.action)).to.deep.equal([tournaments[0], 'new_friend']);
    const one = await getNotifications(svc, me, '?limit=1');
    expect(one).to.deep.equal({ count: 12, items: [first.items[0]] });
    const second = await getNotifications(svc, me, '?limit=1&offset=1');
    expect(second.items).to.deep.equal([first.items[1]]);
    for (const offset of [12, 13, 999]) expect(await getNotifications(svc, me, `?offset=${offset}`)).to.deep.equal({ items: [], count: 12 });
    expect((await getNotifications(svc, me, '?limit=100')).items).to.have.length(12);
    // Ids are distinct.
    expect(new Set((await getNotifications(svc, me, '?limit=100')).items.map((n) => n.id)).size).to.equal(12);
  });

  it('filters on is_read (all, unread/false, read/true) and marks all as read', async () => {
    const me = uniqueName('me');
    const [f1, f2, f3] = [uniqueName('friend'), uniqueName('friend'), uniqueName('friend')] as const;
    await makeKnown(svc, me, f1, f2, f3);
    for (const friend of [f1, f2, f3]) {
      const c = await sockets.connect(friend);
      addFriend(c, friend, me);
      await barrier(c);
    }
    const all = await getNotifications(svc, me);
    expect(all.items.map((n) => n.data['username'])).to.deep.equal([f3, f2, f1]);
    const middle = all.items[1];
    if (middle === undefined) throw new Error('no middle notification');

    const mine = await sockets.connect(me);
    mine.send('read_notification', { id: middle.id });
    await barrier(mine);

    const byFilter = async (q: string): Promise<Array<[unknown, boolean]>> =>
      (await getNotifications(svc, me, q)).items.map((n) => [n.data['username'], n.is_read]);
    const everything: Array<[unknown, boolean]> = [
      [f3, false],
      [f2, true],
      [f1, false],
    ];
    expect(await byFilter('')).to.deep.equal(everything);
    expect(await byFilter('?is_read=all')).to.deep.equal(everything);
    for (const q of ['?is_read=unread', '?is_read=false']) {
      expect(await byFilter(q), q).to.deep.equal([
        [f3, false],
        [f1, false],
      ]);
    }
    for (const q of ['?is_read=read', '?is_read=true']) expect(await byFilter(q), q).to.deep.equal([[f2, true]]);
    // Counts follow the filter, and pages apply within it.
    const unreadPage = await getNotifications(svc, me, '?is_read=unread&limit=1&offset=1');
    expect(unreadPage.count).to.equal(2);
    expect(unreadPage.items.map((n) => n.data['username'])).to.deep.equal([f1]);
    expect(await getNotifications(svc, me, '?is_read=read&offset=1')).to.deep.equal({ items: [], count: 1 });

    expectMsg(await svc.http('POST', '/api/notifications/mark_all_as_read', { username: me }));
    expect(await getNotifications(svc, me, '?is_read=unread')).to.deep.equal({ items: [], count: 0 });
    expect(await byFilter('?is_read=true')).to.deep.equal([
      [f3, true],
      [f2, true],
      [f1, true],
    ]);
    // Idempotent, and for someone without notifications too.
    expectMsg(await svc.http('POST', '/api/notifications/mark_all_as_read/', { username: me }));
    expectMsg(await svc.http('POST', '/api/notifications/mark_all_as_read', { username: f1 }));

    // Marking all read does not reach notifications that come later.
    const again = await sockets.connect(f1);
    addFriend(again, f1, me);
    await barrier(again);
    const unread = await getNotifications(svc, me, '?is_read=false');
    expect(unread.count).to.equal(1);
    expect(unread.items[0]?.data).to.deep.equal({ username: f1, nickname: f1 });
    expect((await getNotifications(svc, me)).count).to.equal(4);
  });

  it('shows the subject’s current nickname and avatar in notification data', async () => {
    const alice = uniqueName('alice');
    const bob = uniqueName('bob');
    await makeKnown(svc, alice, bob);
    const a = await sockets.connect(alice);
    invite(a, bob);
    await barrier(a);
    await svc.http('GET', '/api/chats', { token: svc.token(alice, { nickname: 'Renamed', avatar: 'https://img.example/new.png' }) });
    const [n] = (await getNotifications(svc, bob)).items;
    expect(n?.data).to.deep.include({ username: alice, nickname: 'Renamed', avatar: 'https://img.example/new.png' });
  });
});
