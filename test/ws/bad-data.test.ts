import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { startTestService, type TestService } from '../support/test-service.js';
import { chatBetween, expectStillOpen, itemsOf, newUser, nextMessage, type User } from './support.js';

describe('WebSocket gateway: BAD_DATA closes with 3100, oversized frames with 1009', () => {
  let svc: TestService;
  let alice: User;
  let bob: User;
  let chatId: string;

  before(async () => {
    svc = await startTestService();
    alice = await newUser(svc, 'alice');
    bob = await newUser(svc, 'bob');
    chatId = await chatBetween(alice, bob);
  });
  after(async () => {
    await svc.stop();
  });

  const message = (data: Record<string, unknown>) =>
    JSON.stringify({ action: 'new_message', data: { chat_id: chatId, content: 'hi', timestamp: new Date().toISOString(), ...data } });
  const invite = (options: unknown) => JSON.stringify({ action: 'game_invite', data: { username: bob.name, client_id: randomUUID(), options } });

  const cases: ReadonlyArray<readonly [string, () => string | Buffer]> = [
    ['unparsable JSON', () => '{"action": "new_message", "data": {'],
    ['a JSON value that is not an envelope', () => '"new_message"'],
    ['an envelope without data', () => JSON.stringify({ action: 'new_message' })],
    ['data that is not an object', () => JSON.stringify({ action: 'join_chat', data: [chatId] })],
    ['unknown action', () => JSON.stringify({ action: 'delete_everything', data: {} })],
    ['an action named like an Object.prototype member', () => JSON.stringify({ action: 'toString', data: {} })],
    ['missing field (new_message without timestamp)', () => JSON.stringify({ action: 'new_message', data: { chat_id: chatId, content: 'hi' } })],
    ['missing field (reply_game_invite without accept)', () => JSON.stringify({ action: 'reply_game_invite', data: { username: bob.name } })],
    ['wrong type (content is a number)', () => message({ content: 42 })],
    ['wrong type (accept is a string)', () => JSON.stringify({ action: 'reply_game_invite', data: { username: bob.name, accept: 'yes' } })],
    ['wrong type (timestamp is not a date)', () => message({ timestamp: 'yesterday' })],
    ['invalid uuid (chat_id)', () => message({ chat_id: 'not-a-uuid' })],
    ['invalid uuid (new_message client_msg_id)', () => message({ client_msg_id: 'msg-1' })],
    ['invalid uuid (like_message id)', () => JSON.stringify({ action: 'like_message', data: { id: '1234', chat_id: chatId } })],
    ['invalid uuid (game_invite client_id)', () => JSON.stringify({ action: 'game_invite', data: { username: bob.name, client_id: 'tab-1' } })],
    ['content over 256 characters', () => message({ content: 'x'.repeat(257) })],
    ['whitespace-only content', () => message({ content: ' \n\t  ' })],
    ['empty content', () => message({ content: '' })],
    ['unknown game option key', () => invite({ score_to_win: 5, colour: 'red' })],
    ['score_to_win above range', () => invite({ score_to_win: 21 })],
    ['score_to_win below range', () => invite({ score_to_win: 2 })],
    ['score_to_win not an integer', () => invite({ score_to_win: 5.5 })],
    ['time_limit out of range', () => invite({ time_limit: 6 })],
    ['unknown game_speed', () => invite({ game_speed: 'ludicrous' })],
    ['options not an object', () => invite([])],
    ['invalid username', () => JSON.stringify({ action: 'user_online', data: { username: 'not a username' } })],
    ['binary frame', () => Buffer.from(JSON.stringify({ action: 'join_chat', data: { chat_id: chatId } }))],
    [
      'accept nested 20,000 arrays deep',
      () => `{"action":"reply_game_invite","data":{"username":"${bob.name}","accept":${'['.repeat(20_000)}true${']'.repeat(20_000)}}}`,
    ],
    ['data nested 10,000 objects deep', () => `{"action":"join_chat","data":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`],
    ['options nested 9 deep', () => invite(JSON.parse(`${'['.repeat(9)}1${']'.repeat(9)}`))],
    // No UTF-8 store keeps a lone surrogate: REST would serve it as U+FFFD while frames echoed it.
    ['content with a lone high surrogate', () => message({ content: '\ud800x' })],
    ['content with a lone low surrogate', () => message({ content: 'x\udc00' })],
    ['a surrogate pair in the wrong order', () => message({ content: '\udc00\ud800' })],
    [
      'a lone surrogate in a tournament name',
      () => JSON.stringify({ action: 'new_tournament', data: { tournament_id: randomUUID(), tournament_name: 'cup \ud83d', organizer_id: alice.id } }),
    ],
  ];

  for (const [cause, frame] of cases) {
    it(`closes with 3100: ${cause}`, async () => {
      const client = await alice.connectReady();
      client.sendRaw(frame());
      const closed = await client.closed;
      expect(closed.code).to.equal(3100);
    });
  }

  it('after a 20,000-deep frame the user is counted out like any close: user_offline, and their invitation withdrawn', async () => {
    const carol = await newUser(svc, 'carol');
    const watcher = await bob.connect();
    const c = await carol.connect();
    c.send('game_invite', { username: bob.name, client_id: randomUUID() });
    await watcher.nextAction('game_invite');
    c.sendRaw(`{"action":"reply_game_invite","data":{"username":"${bob.name}","accept":${'['.repeat(20_000)}true${']'.repeat(20_000)}}}`);
    expect((await c.closed).code).to.equal(3100);
    expect((await watcher.next((f) => f.action === 'user_offline' && f.data['username'] === carol.name)).position).to.be.a('string');
    expect((await watcher.nextAction('game_invite_canceled')).data['username']).to.equal(carol.name);
    await watcher.close();
  });

  it('content of exactly 256 characters (after trimming) is accepted', async () => {
    const a = await alice.connectReady();
    const content = 'é'.repeat(256);
    a.send('new_message', { chat_id: chatId, content: `  ${content}  `, timestamp: new Date().toISOString() });
    await nextMessage(a, content);
    await expectStillOpen(a);
    await a.close();
  });

  it('characters outside the BMP (surrogate pairs) are stored, pushed and served by REST alike', async () => {
    const a = await alice.connectReady();
    const content = `pairs 😀𝄞 ${randomUUID()}`;
    a.send('new_message', { chat_id: chatId, content, timestamp: new Date().toISOString() });
    await nextMessage(a, content);
    const listed = await svc.http('GET', `/api/chats/${bob.name}/messages`, { token: alice.token });
    expect(itemsOf(listed.body).map((m) => m['content'])).to.include(content);
    await a.close();
  });

  it('new_message with a client_msg_id uuid is accepted', async () => {
    const a = await alice.connectReady();
    a.send('new_message', { chat_id: chatId, content: 'with an id', timestamp: new Date().toISOString(), client_msg_id: randomUUID() });
    await nextMessage(a, 'with an id');
    await expectStillOpen(a);
    await a.close();
  });

  it('a BAD_DATA frame is not executed, and nothing after it is either', async () => {
    const a = await alice.connectReady();
    a.sendRaw(message({ content: 'x'.repeat(300) }));
    a.sendRaw(message({ content: 'after the bad frame' }));
    expect((await a.closed).code).to.equal(3100);
    const stored = await bob.http('GET', `/api/chats/${alice.name}/messages?limit=100`);
    expect(itemsOf(stored.body).map((m) => m['content'])).to.not.include('after the bad frame');
  });

  it('closes with 1009: a frame over 64 KiB', async () => {
    const client = await alice.connectReady();
    client.sendRaw(message({ content: 'x'.repeat(64 * 1024) }));
    expect((await client.closed).code).to.equal(1009);
  });

  it('a frame just under 64 KiB is read (and judged on its content: 3100 for long content)', async () => {
    const client = await alice.connectReady();
    const frame = message({ content: 'x'.repeat(64 * 1024 - 200) });
    expect(Buffer.byteLength(frame)).to.be.below(64 * 1024);
    client.sendRaw(frame);
    expect((await client.closed).code).to.equal(3100);
  });
});
