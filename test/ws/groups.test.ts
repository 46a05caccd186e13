import { expect } from 'chai';
import type { TestClient } from '../support/test-client.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { asRecord, chatBetween, newUser, nextMessage } from './support.js';

/** Rounds of "connect while the other member writes", and messages in flight per writer burst. */
const ROUNDS = 10;
const BURST = 5;
describe('WebSocket gateway: chat groups', () => {
  let svc: TestService;
  const clients: TestClient[] = [];

  before(async () => {
    // The writer loops below send as fast as acknowledgements come back: no flood control here.
    svc = await startTestService({ ws: { maxBufferedBytes: 1024 * 1024, ratePerSecond: 10_000, rateBurst: 10_000, rateWarnings: 3 } });
  });
  after(async () => {
    await svc.stop();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  it('a chat created while both are connected is joined by every tab of both members, without reconnecting', async () => {
    const alice = await newUser(svc, 'alice');
    const bob = await newUser(svc, 'bob');
    const a = await alice.connectReady();
    const [b1, b2] = [await bob.connectReady(), await bob.connectReady()];
    clients.push(a, b1, b2);
    const all = [a, b1, b2];

    const res = await alice.http('PUT', `/api/chats/${bob.name}`);
    expect(res.status).to.equal(201);
    const chatId = asRecord(res.body)['chat_id'];
    for (const c of all) {
      const joined = await c.nextAction('join_chat');
      expect(joined.data).to.deep.equal({ chat_id: chatId });
      expect(joined.position).to.be.a('string');
    }

    a.send('new_message', { chat_id: chatId, content: 'first!', timestamp: new Date().toISOString() });
    for (const c of all) expect((await nextMessage(c, 'first!')).data).to.include({ chat_id: chatId, sender: alice.name });
    b2.send('new_message', { chat_id: chatId, content: 'from tab 2', timestamp: new Date().toISOString() });
    for (const c of all) expect((await nextMessage(c, 'from tab 2')).data).to.include({ chat_id: chatId, sender: bob.name });

    // Opening it again is a 200 and no second join_chat.
    expect((await bob.http('PUT', `/api/chats/${alice.name}`)).status).to.equal(200);
    b1.send('notification', { message: 'barrier', type: 'ping' });
    await b1.next((f) => f.action === 'notification');
    expect(b1.pending().filter((f) => f.action === 'join_chat')).to.deep.equal([]);
  });

  it('a socket gets the frames of chats that existed before it connected', async () => {
    const alice = await newUser(svc, 'alice');
    const bob = await newUser(svc, 'bob');
    const chatId = await chatBetween(alice, bob);
    const a = await alice.connectReady();
    const b = await bob.connectReady();
    clients.push(a, b);
    a.send('new_message', { chat_id: chatId, content: 'hello', timestamp: new Date().toISOString() });
    expect((await nextMessage(b, 'hello')).data['chat_id']).to.equal(chatId);
  });

  it('no gap right after the upgrade: a message stored as soon as the socket is open reaches it', async () => {
    const alice = await newUser(svc, 'alice');
    const bob = await newUser(svc, 'bob');
    const chatId = await chatBetween(alice, bob);
    const a = await alice.connectReady();
    clients.push(a);
    for (let i = 0; i < ROUNDS; i++) {
      // Send continuously from the other member while Bob connects: whatever is stored after Bob's socket
      // opened must reach it (it is free to get a few stored before, but no gap after the first it gets).
      let sending = true;
      let n = 0;
      const sent: string[] = [];
      const writer = (async () => {
        while (sending) {
          // Bursts not waiting for acknowledgements: some are always in flight.
          const burst = Array.from({ length: BURST }, () => `r${i}-m${n++}`);
          for (const content of burst) {
            sent.push(content);
            a.send('new_message', { chat_id: chatId, content, timestamp: new Date().toISOString() });
          }
          for (const content of burst) await nextMessage(a, content);
        }
      })();
      // A refreshed profile on the new token: the socket's set-up appends, among the writer's commits.
      const b = await svc.connect(bob.name, { token: svc.token(bob.name, { nickname: `Bob (round ${i})`, avatar: bob.avatar }) });
      clients.push(b);
      const opened = sent.length;
      await new Promise((r) => setTimeout(r, 30));
      sending = false;
      await writer;
      const last = sent[sent.length - 1] as string;
      await nextMessage(b, last);
      const got = (await b.collect(0)).filter((f) => f.action === 'new_message').map((f) => f.data['content']);
      got.push(last);
      // A contiguous run ending with the last message (no gap, no duplicate), covering at least every
      // message sent after the socket was open.
      expect(got, `round ${i}`).to.deep.equal(sent.slice(sent.length - got.length));
      expect(got.length, `round ${i}: ${opened} sent before open, ${sent.length} in all`).to.be.at.least(sent.length - opened);
      await b.close();
    }
  });
});
