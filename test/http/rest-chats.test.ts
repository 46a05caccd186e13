import { expect } from 'chai';
import type { TestService } from '../support/test-service.js';
import {
  Sockets,
  barrier,
  expectChat,
  expectError,
  getMessages,
  getPreviews,
  makeKnown,
  previewOf,
  putChat,
  sendMessage,
  startHttpTestService,
  uniqueName,
} from './http-helpers.js';

describe('REST: chats and messages', function () {
  let svc: TestService;
  const sockets = new Sockets(() => svc);

  before(async () => {
    svc = await startHttpTestService();
  });
  afterEach(async () => {
    await sockets.closeAll();
  });
  after(async () => {
    await svc.stop();
  });

  describe('PUT /api/chats/{username}', () => {
    it('answers 201 with a Chat on creation, then 200 with the same chat for either member', async () => {
      const alice = uniqueName('alice');
      const bob = uniqueName('bob');
      await makeKnown(svc, alice);
      await svc.http('GET', '/api/chats', { token: svc.token(bob, { nickname: 'Bobby', avatar: 'https://cdn.example/bob.png' }) });

      const created = await putChat(svc, alice, bob);
      expect(created.status).to.equal(201);
      expect(created.chat).to.deep.equal({
        chat_id: created.chat.chat_id,
        username: bob,
        nickname: 'Bobby',
        avatar: 'https://cdn.example/bob.png',
        is_online: false,
        is_blocked_user: false,
        is_blocked_by_user: false,
        messages: [],
      });

      const again = await putChat(svc, alice, bob);
      expect(again.status).to.equal(200);
      expect(again.chat).to.deep.equal(created.chat);

      const reverse = await putChat(svc, bob, alice);
      expect(reverse.status).to.equal(200);
      // Without a nickname claim the nickname is the username; without an avatar, empty.
      expect(reverse.chat).to.deep.include({ chat_id: created.chat.chat_id, username: alice, nickname: alice, avatar: '' });
    });

    it('carries the last 30 messages newest first (35 sent), with senders and flags', async () => {
      const alice = uniqueName('alice');
      const bob = uniqueName('bob');
      await makeKnown(svc, alice, bob);
      const { chat } = await putChat(svc, alice, bob);
      const [a, b] = await Promise.all([sockets.connect(alice), sockets.connect(bob)]);
      const sent: Array<{ id: string; content: string; sender: string }> = [];
      for (let i = 1; i <= 35; i++) {
        const [client, sender] = i % 2 === 0 ? [b, bob] : [a, alice];
        const ack = await sendMessage(client, chat.chat_id, `message ${i}`);
        sent.push({ id: String(ack.data['id']), content: `message ${i}`, sender });
      }

      const { status, chat: opened } = await putChat(svc, alice, bob);
      expect(status).to.equal(200);
      expect(opened.messages).to.have.length(30);
      const newestFirst = [...sent].reverse();
      expect(opened.messages.map((m) => ({ id: m.id, content: m.content, sender: m.sender }))).to.deep.equal(newestFirst.slice(0, 30));
      for (const m of opened.messages) expect(m).to.include({ is_read: false, is_liked: false });
      const dates = opened.messages.map((m) => Date.parse(m.date));
      expect(dates).to.deep.equal([...dates].sort((x, y) => y - x));

      // GET .../messages pages over all 35, newest first: default limit 10, limit 1, offsets up to and past the end.
      const firstPage = await getMessages(svc, bob, alice);
      expect(firstPage.count).to.equal(35);
      expect(firstPage.items.map((m) => m.id)).to.deep.equal(newestFirst.slice(0, 10).map((m) => m.id));
      const one = await getMessages(svc, alice, bob, '?limit=1');
      expect(one).to.deep.equal({ count: 35, items: [firstPage.items[0]] });
      const middle = await getMessages(svc, alice, bob, '?limit=5&offset=12');
      expect(middle.items.map((m) => m.id)).to.deep.equal(newestFirst.slice(12, 17).map((m) => m.id));
      const last = await getMessages(svc, alice, bob, '?offset=34');
      expect(last.items.map((m) => m.content)).to.deep.equal(['message 1']);
      expect(last.count).to.equal(35);
      for (const offset of [35, 36, 1000]) expect(await getMessages(svc, alice, bob, `?offset=${offset}`)).to.deep.equal({ items: [], count: 35 });
      const all = await getMessages(svc, alice, bob, '?limit=100');
      expect(all.items.map((m) => m.id)).to.deep.equal(newestFirst.map((m) => m.id));
    });

    it('answers 403 when either side blocked the other, whether or not the chat exists', async () => {
      const alice = uniqueName('alice');
      const bob = uniqueName('bob');
      const carol = uniqueName('carol');
      await makeKnown(svc, alice, bob, carol);

      // No chat yet: alice blocked bob.
      await svc.http('PUT', `/api/blocks/${bob}`, { username: alice });
      expectError(await svc.http('PUT', `/api/chats/${bob}`, { username: alice }), 403);
      expectError(await svc.http('PUT', `/api/chats/${alice}/`, { username: bob }), 403);
      // Refused creation leaves no chat behind.
      expectError(await svc.http('GET', `/api/chats/${bob}/messages`, { username: alice }), 404);
      await svc.http('DELETE', `/api/blocks/${bob}`, { username: alice });
      expect((await putChat(svc, bob, alice)).status).to.equal(201);

      // Existing chat: carol blocks alice after the chat was opened.
      expect((await putChat(svc, alice, carol)).status).to.equal(201);
      await svc.http('PUT', `/api/blocks/${alice}`, { username: carol });
      expectError(await svc.http('PUT', `/api/chats/${carol}`, { username: alice }), 403);
      expectError(await svc.http('PUT', `/api/chats/${alice}`, { username: carol }), 403);
      // The previews say who blocked whom.
      expect(previewOf(await getPreviews(svc, alice), carol)).to.include({ is_blocked_user: false, is_blocked_by_user: true });
      expect(previewOf(await getPreviews(svc, carol), alice)).to.include({ is_blocked_user: true, is_blocked_by_user: false });
      await svc.http('DELETE', `/api/blocks/${alice}`, { username: carol });
      expect((await putChat(svc, alice, carol)).chat).to.include({ is_blocked_user: false, is_blocked_by_user: false });
      expect(previewOf(await getPreviews(svc, carol), alice)).to.include({ is_blocked_user: false, is_blocked_by_user: false });
    });

    it('shows the nickname and avatar of the peer’s latest token', async () => {
      const alice = uniqueName('alice');
      const bob = uniqueName('bob');
      await makeKnown(svc, alice);
      await svc.http('GET', '/api/chats', { token: svc.token(bob, { nickname: 'Bob One', avatar: 'https://img.example/a1.png' }) });
      expect((await putChat(svc, alice, bob)).chat).to.include({ nickname: 'Bob One', avatar: 'https://img.example/a1.png' });

      await svc.http('GET', '/api/blocks', { token: svc.token(bob, { nickname: 'Bob Two', avatar: 'https://img.example/a2.png' }) });
      expect((await putChat(svc, alice, bob)).chat).to.include({ username: bob, nickname: 'Bob Two', avatar: 'https://img.example/a2.png' });
      expect(previewOf(await getPreviews(svc, alice), bob)).to.include({ nickname: 'Bob Two', avatar: 'https://img.example/a2.png' });

      // A socket's token refreshes the directory too (registered before the socket is set up).
      const ws = await sockets.connect(bob, { token: svc.token(bob, { nickname: 'Bob Three', avatar: 'https://img.example/a3.png' }) });
      await barrier(ws);
      expect((await putChat(svc, alice, bob)).chat).to.include({ nickname: 'Bob Three', avatar: 'https://img.example/a3.png' });
    });

    it('reports is_online while the peer has a socket open, false once it closed', async () => {
      const alice = uniqueName('alice');
      const bob = uniqueName('bob');
      await makeKnown(svc, alice, bob);
      await putChat(svc, alice, bob);
      const watcher = await sockets.connect(alice);
      await watcher.next((f) => f.action === 'user_online' && f.data['username'] === alice);

      const bobSocket = await sockets.connect(bob);
      await watcher.next((f) => f.action === 'user_online' && f.data['username'] === bob);
      expect((await putChat(svc, alice, bob)).chat.is_online).to.equal(true);
      expect(previewOf(await getPreviews(svc, alice), bob).is_online).to.equal(true);
      // alice is online too, from bob's side.
      expect((await putChat(svc, bob, alice)).chat.is_online).to.equal(true);

      await bobSocket.close();
      await watcher.next((f) => f.action === 'user_offline' && f.data['username'] === bob);
      expect((await putChat(svc, alice, bob)).chat.is_online).to.equal(false);
      expect(previewOf(await getPreviews(svc, alice), bob).is_online).to.equal(false);
    });
  });

  describe('presence announced over the socket', () => {
    it('reports is_online false after a user_offline (logout) with the socket still open, true after user_online', async () => {
      const alice = uniqueName('alice');
      const bob = uniqueName('bob');
      await makeKnown(svc, alice, bob);
      await putChat(svc, alice, bob);
      const watcher = await sockets.connect(alice);
      const b = await sockets.connect(bob);
      await watcher.next((f) => f.action === 'user_online' && f.data['username'] === bob);
      expect(previewOf(await getPreviews(svc, alice), bob).is_online).to.equal(true);

      b.send('user_offline', { username: bob });
      await watcher.next((f) => f.action === 'user_offline' && f.data['username'] === bob);
      expect(previewOf(await getPreviews(svc, alice), bob).is_online).to.equal(false);
      expect((await putChat(svc, alice, bob)).chat.is_online).to.equal(false);

      b.send('user_online', { username: bob });
      await watcher.next((f) => f.action === 'user_online' && f.data['username'] === bob);
      expect(previewOf(await getPreviews(svc, alice), bob).is_online).to.equal(true);
    });
  });

  describe('concurrency', () => {
    it('creates one chat when both members open it at once: one 201, one 200', async () => {
      const alice = uniqueName('alice');
      const bob = uniqueName('bob');
      await makeKnown(svc, alice, bob);
      const [x, y] = await Promise.all([svc.http('PUT', `/api/chats/${bob}`, { username: alice }), svc.http('PUT', `/api/chats/${alice}`, { username: bob })]);
      expect([x.status, y.status].sort()).to.deep.equal([200, 201]);
      expect(expectChat(x.body).chat_id).to.equal(expectChat(y.body).chat_id);
      expect((await getPreviews(svc, alice)).count).to.equal(1);
      expect((await getPreviews(svc, bob)).count).to.equal(1);
    });

    it('a member whose PUT finds the chat just created by the other sees it at once (20 pairs at the same moment)', async () => {
      const pairs = Array.from({ length: 20 }, () => [uniqueName('alice'), uniqueName('bob')] as const);
      await makeKnown(svc, ...pairs.flat());
      const answers = await Promise.all(
        pairs.flatMap(([a, b]) => [svc.http('PUT', `/api/chats/${b}`, { username: a }), svc.http('PUT', `/api/chats/${a}`, { username: b })]),
      );
      // The PUT that found the chat existing answers from the read models: never "not readable yet".
      expect(answers.map((r) => r.status).sort()).to.deep.equal([...Array(20).fill(200), ...Array(20).fill(201)]);
    });

    it('registers a new user once when its first requests arrive together', async () => {
      const newcomer = uniqueName('newcomer');
      const me = uniqueName('me');
      await makeKnown(svc, me);
      const answers = await Promise.all(Array.from({ length: 8 }, () => svc.http('GET', '/api/chats/', { username: newcomer })));
      expect(answers.map((a) => a.status)).to.deep.equal(Array.from({ length: 8 }, () => 200));
      expect((await putChat(svc, me, newcomer)).status).to.equal(201);
    });
  });

  describe('GET /api/chats/', () => {
    it('lists ChatPreviews by most recent activity; a message moves its chat first', async () => {
      const me = uniqueName('me');
      const [p1, p2, p3] = [uniqueName('p'), uniqueName('p'), uniqueName('p')] as const;
      await makeKnown(svc, me, p1, p2, p3);
      expect(await getPreviews(svc, me)).to.deep.equal({ items: [], count: 0 });

      const chats = new Map<string, string>();
      for (const p of [p1, p2, p3]) chats.set(p, (await putChat(svc, me, p)).chat.chat_id);
      const fresh = await getPreviews(svc, me);
      expect(fresh.count).to.equal(3);
      expect(fresh.items.map((i) => i.username)).to.deep.equal([p3, p2, p1]);
      expect(fresh.items[0]).to.deep.equal({
        chat_id: chats.get(p3),
        username: p3,
        nickname: p3,
        avatar: '',
        is_online: false,
        unread_messages_count: 0,
        last_message: null,
        is_blocked_user: false,
        is_blocked_by_user: false,
      });

      // The oldest chat gets a message from the peer: it comes first, for both members.
      const p1Socket = await sockets.connect(p1);
      const ack = await sendMessage(p1Socket, chats.get(p1) ?? '', 'hello from p1');
      const afterP1 = await getPreviews(svc, me);
      expect(afterP1.items.map((i) => i.username)).to.deep.equal([p1, p3, p2]);
      expect(afterP1.items[0]?.unread_messages_count).to.equal(1);
      expect(afterP1.items[0]?.last_message).to.deep.equal({
        id: ack.data['id'],
        content: 'hello from p1',
        date: ack.data['date'],
        sender: p1,
        is_read: false,
        is_liked: false,
      });

      // Then I write in the middle one.
      const mine = await sockets.connect(me);
      await sendMessage(mine, chats.get(p2) ?? '', 'hello p2');
      const afterMe = await getPreviews(svc, me);
      expect(afterMe.items.map((i) => i.username)).to.deep.equal([p2, p1, p3]);
      // My own message is not unread for me.
      expect(afterMe.items[0]).to.include({ unread_messages_count: 0 });
      expect(afterMe.items[0]?.last_message).to.include({ content: 'hello p2', sender: me, is_read: false });
      expect(previewOf(await getPreviews(svc, p2), me).unread_messages_count).to.equal(1);

      // Re-opening an existing chat is no activity.
      await putChat(svc, me, p3);
      expect((await getPreviews(svc, me)).items.map((i) => i.username)).to.deep.equal([p2, p1, p3]);
    });

    it('pages: default limit 10, limit 1, offset beyond the count', async () => {
      const me = uniqueName('many');
      await makeKnown(svc, me);
      const peers: string[] = [];
      for (let i = 0; i < 12; i++) peers.push(uniqueName('peer'));
      await makeKnown(svc, ...peers);
      for (const p of peers) await putChat(svc, p, me);
      const newestFirst = [...peers].reverse();

      const first = await getPreviews(svc, me);
      expect(first.count).to.equal(12);
      expect(first.items.map((i) => i.username)).to.deep.equal(newestFirst.slice(0, 10));
      const second = await getPreviews(svc, me, '?offset=10');
      expect(second).to.deep.include({ count: 12 });
      expect(second.items.map((i) => i.username)).to.deep.equal(newestFirst.slice(10));
      const one = await getPreviews(svc, me, '?limit=1&offset=3');
      expect(one.items.map((i) => i.username)).to.deep.equal([newestFirst[3]]);
      expect(one.count).to.equal(12);
      for (const offset of [12, 13, 500]) expect(await getPreviews(svc, me, `?offset=${offset}`)).to.deep.equal({ items: [], count: 12 });
      expect((await getPreviews(svc, me, '?limit=100')).items).to.have.length(12);
      // Each peer sees exactly one chat.
      expect((await getPreviews(svc, peers[0] ?? '')).count).to.equal(1);
    });
  });

  describe('unread counts, read and like state', () => {
    it('moves unread_messages_count with read_message: up to the read message, then to 0', async () => {
      const alice = uniqueName('alice');
      const bob = uniqueName('bob');
      await makeKnown(svc, alice, bob);
      const { chat } = await putChat(svc, alice, bob);
      const [a, b] = await Promise.all([sockets.connect(alice), sockets.connect(bob)]);
      const m1 = await sendMessage(b, chat.chat_id, 'b1');
      const m2 = await sendMessage(b, chat.chat_id, 'b2');
      await sendMessage(b, chat.chat_id, 'b3');
      await sendMessage(a, chat.chat_id, 'a1');
      const m4 = await sendMessage(b, chat.chat_id, 'b4');

      expect(previewOf(await getPreviews(svc, alice), bob).unread_messages_count).to.equal(4);
      expect(previewOf(await getPreviews(svc, bob), alice).unread_messages_count).to.equal(1);

      // Reading b2 reads b1 too, nothing after it.
      a.send('read_message', { id: m2.data['id'], chat_id: chat.chat_id });
      await barrier(a);
      const afterOlder = previewOf(await getPreviews(svc, alice), bob);
      expect(afterOlder.unread_messages_count).to.equal(2);
      expect(afterOlder.last_message).to.include({ id: m4.data['id'], is_read: false });
      const readState = (await getMessages(svc, alice, bob)).items.map((m) => [m.content, m.is_read]);
      expect(readState).to.deep.equal([
        ['b4', false],
        ['a1', false],
        ['b3', false],
        ['b2', true],
        ['b1', true],
      ]);
      // Reading an older one again changes nothing; chat_id is optional.
      a.send('read_message', { id: m1.data['id'] });
      await barrier(a);
      expect(previewOf(await getPreviews(svc, alice), bob).unread_messages_count).to.equal(2);

      // Reading the newest: nothing left; bob's view is untouched by alice's reads.
      a.send('read_message', { id: m4.data['id'], chat_id: chat.chat_id });
      await barrier(a);
      const done = previewOf(await getPreviews(svc, alice), bob);
      expect(done.unread_messages_count).to.equal(0);
      expect(done.last_message).to.include({ id: m4.data['id'], is_read: true });
      expect((await getMessages(svc, bob, alice)).items.map((m) => m.is_read)).to.deep.equal([true, false, true, true, true]);
      expect(previewOf(await getPreviews(svc, bob), alice).unread_messages_count).to.equal(1);
    });

    it('shows is_liked after like_message and not after unlike_message', async () => {
      const alice = uniqueName('alice');
      const bob = uniqueName('bob');
      await makeKnown(svc, alice, bob);
      const { chat } = await putChat(svc, alice, bob);
      const [a, b] = await Promise.all([sockets.connect(alice), sockets.connect(bob)]);
      const older = await sendMessage(b, chat.chat_id, 'like me later');
      const newest = await sendMessage(b, chat.chat_id, 'like me');

      a.send('like_message', { id: newest.data['id'], chat_id: chat.chat_id });
      await a.next((f) => f.action === 'chat_like_update' && f.data['id'] === newest.data['id'] && f.data['is_liked'] === true);
      expect((await getMessages(svc, bob, alice)).items.map((m) => [m.content, m.is_liked])).to.deep.equal([
        ['like me', true],
        ['like me later', false],
      ]);
      expect(previewOf(await getPreviews(svc, alice), bob).last_message).to.include({ is_liked: true });
      expect((await putChat(svc, bob, alice)).chat.messages.map((m) => m.is_liked)).to.deep.equal([true, false]);

      a.send('like_message', { id: older.data['id'], chat_id: chat.chat_id });
      a.send('unlike_message', { id: newest.data['id'], chat_id: chat.chat_id });
      await b.next((f) => f.action === 'chat_like_update' && f.data['id'] === newest.data['id'] && f.data['is_liked'] === false);
      expect((await getMessages(svc, alice, bob)).items.map((m) => m.is_liked)).to.deep.equal([false, true]);
      expect(previewOf(await getPreviews(svc, bob), alice).last_message).to.include({ is_liked: false });
    });
  });

  describe('read-your-writes', () => {
    it('shows a message in REST as soon as its frame arrived, every time', async () => {
      const alice = uniqueName('alice');
      const bob = uniqueName('bob');
      await makeKnown(svc, alice, bob);
      const { chat } = await putChat(svc, alice, bob);
      const [a, b] = await Promise.all([sockets.connect(alice), sockets.connect(bob)]);
      for (let i = 1; i <= 15; i++) {
        const content = `ryw ${i}`;
        b.send('new_message', { content, chat_id: chat.chat_id, timestamp: new Date().toISOString() });
        // The recipient's copy of the frame, not the sender's acknowledgement.
        const frame = await a.next((f) => f.action === 'new_message' && f.data['content'] === content);
        const [messages, previews] = await Promise.all([getMessages(svc, alice, bob, '?limit=1'), getPreviews(svc, alice)]);
        expect(messages.count).to.equal(i);
        expect(messages.items[0]).to.include({ id: frame.data['id'], content });
        expect(previewOf(previews, bob)).to.deep.include({ unread_messages_count: i });
        expect(previewOf(previews, bob).last_message).to.include({ id: frame.data['id'] });
      }
    });

    it('shows a chat created by the peer as soon as join_chat arrived', async () => {
      const alice = uniqueName('alice');
      const bob = uniqueName('bob');
      await makeKnown(svc, alice, bob);
      const a = await sockets.connect(alice);
      await barrier(a);
      const created = await svc.http('PUT', `/api/chats/${alice}`, { username: bob });
      expect(created.status).to.equal(201);
      const chatId = expectChat(created.body).chat_id;
      await a.next((f) => f.action === 'join_chat' && f.data['chat_id'] === chatId);
      expect(previewOf(await getPreviews(svc, alice), bob).chat_id).to.equal(chatId);
      expect(await getMessages(svc, alice, bob)).to.deep.equal({ items: [], count: 0 });
    });
  });
});
