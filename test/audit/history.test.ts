import { expect } from 'chai';
import { startTestService, type TestService } from '../support/test-service.js';
import type { TestClient } from '../support/test-client.js';

interface Entry {
  revision: number;
  position: string;
  type: string;
  actor: string | null;
  time: string;
}
interface ChatAtBody {
  position: string | null;
  members: string[];
  messages: Array<{ id: string; content: string; sender: string; is_read: boolean; is_liked: boolean }>;
}

describe('audit trail: GET /api/chats/{username}/history', () => {
  let svc: TestService;
  let alice: TestClient;
  let bob: TestClient;
  let chatId: string;
  const positions: string[] = [];

  before(async () => {
    svc = await startTestService({ ws: { maxBufferedBytes: 1 << 20, ratePerSecond: 1000, rateBurst: 1000, rateWarnings: 3 } });
    await svc.http('GET', '/api/chats/', { username: 'bob' });
    const opened = await svc.http('PUT', '/api/chats/bob', { username: 'alice' });
    chatId = (opened.body as { chat_id: string }).chat_id;
    alice = await svc.connect('alice');
    bob = await svc.connect('bob');
    const send = async (from: TestClient, content: string): Promise<string> => {
      from.send('new_message', { content, chat_id: chatId, timestamp: new Date().toISOString() });
      const frame = await from.next((f) => f.action === 'new_message' && f.data['content'] === content);
      positions.push(frame.position ?? '');
      return String(frame.data['id']);
    };
    const first = await send(alice, 'one');
    await send(bob, 'two');
    bob.send('like_message', { id: first, chat_id: chatId });
    const liked = await alice.nextAction('chat_like_update');
    positions.push(liked.position ?? '');
    bob.send('read_message', { id: first, chat_id: chatId });
    // read_message answers nothing: a barrier on bob's socket (handled in order) says it is stored before alice writes on.
    bob.send('notification', { message: 'barrier', type: 'ping' });
    await bob.next((f) => f.action === 'notification' && f.data['message'] === 'barrier');
    await send(alice, 'three');
    bob.send('unlike_message', { id: first, chat_id: chatId });
    const unliked = await alice.nextAction('chat_like_update');
    positions.push(unliked.position ?? '');
  });
  after(async () => {
    await alice.close();
    await bob.close();
    await svc.stop();
  });

  it("lists the chat's events in order with type, actor, time and position, paginated", async () => {
    const all = await svc.http('GET', '/api/chats/bob/history?limit=100', { username: 'alice' });
    expect(all.status).to.equal(200);
    const body = all.body as { items: Entry[]; count: number };
    expect(body.items.map((e) => e.type)).to.deep.equal([
      'ChatCreated',
      'MessageSent',
      'MessageSent',
      'MessageLiked',
      'MessagesRead',
      'MessageSent',
      'MessageUnliked',
    ]);
    expect(body.count).to.equal(7);
    expect(body.items.map((e) => e.actor)).to.deep.equal(['alice', 'alice', 'bob', 'bob', 'bob', 'alice', 'bob']);
    expect(body.items.map((e) => e.revision)).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
    const numeric = body.items.map((e) => Number(e.position));
    expect(numeric).to.deep.equal([...numeric].sort((a, b) => a - b));
    for (const e of body.items) expect(Number.isNaN(Date.parse(e.time))).to.equal(false);
    const page = await svc.http('GET', '/api/chats/alice/history?limit=2&offset=3', { username: 'bob' });
    expect((page.body as { items: Entry[] }).items.map((e) => e.type)).to.deep.equal(['MessageLiked', 'MessagesRead']);
    expect((page.body as { count: number }).count).to.equal(7);
  });

  it('answers the chat as it was at several positions', async () => {
    const at = async (position: string) => (await svc.http('GET', `/api/chats/bob/history?at=${position}`, { username: 'alice' })).body as ChatAtBody;
    const [afterOne, afterTwo, afterLike, afterThree, afterUnlike] = positions as [string, string, string, string, string];
    expect((await at(afterOne)).messages.map((m) => m.content)).to.deep.equal(['one']);
    expect((await at(afterTwo)).messages.map((m) => [m.content, m.is_liked, m.is_read])).to.deep.equal([
      ['one', false, false],
      ['two', false, false],
    ]);
    expect((await at(afterLike)).messages.map((m) => [m.content, m.is_liked])).to.deep.equal([
      ['one', true],
      ['two', false],
    ]);
    const three = await at(afterThree);
    expect(three.messages.map((m) => [m.content, m.sender, m.is_liked, m.is_read])).to.deep.equal([
      ['one', 'alice', true, true],
      ['two', 'bob', false, false],
      ['three', 'alice', false, false],
    ]);
    expect(three.position).to.equal(afterThree);
    expect((await at(afterUnlike)).messages[0]?.is_liked).to.equal(false);
    expect((await at('1')).messages).to.deep.equal([]);
  });

  it('answers the chat as it was at an ISO time', async () => {
    const before = await svc.http('GET', `/api/chats/bob/history?at=${encodeURIComponent('2000-01-01T00:00:00Z')}`, { username: 'alice' });
    expect((before.body as ChatAtBody).messages).to.deep.equal([]);
    const now = await svc.http('GET', `/api/chats/bob/history?at=${encodeURIComponent(new Date().toISOString())}`, { username: 'alice' });
    expect((now.body as ChatAtBody).messages.map((m) => m.content)).to.deep.equal(['one', 'two', 'three']);
  });

  it('is for members only and refuses bad input with JSON errors', async () => {
    await svc.http('GET', '/api/chats/', { username: 'carol' });
    const outsider = await svc.http('GET', '/api/chats/bob/history', { username: 'carol' });
    expect(outsider.status).to.equal(404);
    expect(outsider.body).to.have.property('msg');
    expect((await svc.http('GET', '/api/chats/bob/history?at=yesterday', { username: 'alice' })).status).to.equal(400);
  });

  it('takes as `at` only an ISO 8601 time or a log position: anything else Date.parse would read is 400', async () => {
    // V8 reads "-1" as 2001-01-01, "1 2" as 2001-01-02, "Dec 6" as a date in 2001.
    for (const at of ['-1', '-1.5', '1 2', 'Dec 6', '2026-13-01', '2026-12-06T25:00Z', '12:00', '0x10', '1e3', ' 5']) {
      const answer = await svc.http('GET', `/api/chats/bob/history?at=${encodeURIComponent(at)}`, { username: 'alice' });
      expect(answer.status, at).to.equal(400);
      expect(answer.body, at).to.deep.equal({ msg: 'at must be an ISO 8601 time or a log position' });
    }
    for (const at of ['2026-12-06', '2026-12-06T10:00:00Z', '2026-12-06T10:00:00.123+01:00', positions[0] ?? '']) {
      expect((await svc.http('GET', `/api/chats/bob/history?at=${encodeURIComponent(at)}`, { username: 'alice' })).status, at).to.equal(200);
    }
    expect((await svc.http('GET', '/api/chats/bob/history?limit=0', { username: 'alice' })).status).to.equal(400);
    expect((await svc.http('GET', '/api/chats/bob/history')).status).to.equal(401);
  });
});
