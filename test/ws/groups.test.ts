import { expect } from 'chai';
import type { SdkTab } from '../support/sdk-tab.js';
import type { TestClient } from '../support/test-client.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { chatBetween, newUser, nextMessage } from './support.js';

/** Rounds of "connect while the other member writes", and messages in flight per writer burst. */
const ROUNDS = 10;
const BURST = 5;
describe('WebSocket gateway: chat groups', () => {
  let svc: TestService;
  const clients: TestClient[] = [];
  const tabs: SdkTab[] = [];

  before(async () => {
    // The writer loops below send as fast as acknowledgements come back: no flood control here.
    svc = await startTestService({ ws: { maxBufferedBytes: 1024 * 1024, ratePerSecond: 10_000, rateBurst: 10_000, rateWarnings: 3 } });
  });
  after(async () => {
    await svc.stop();
  });
  afterEach(async () => {
    await Promise.all([...clients.splice(0), ...tabs.splice(0)].map((c) => c.close()));
  });

  // Front ends use the SDK: these two run on it, the raw socket tests pin the exact frames.
  it('a chat created while both are connected is joined by every tab of both members, without reconnecting', async () => {
    const alice = await newUser(svc, 'alice');
    const bob = await newUser(svc, 'bob');
    const [a, b1, b2] = await Promise.all([alice.sdk(), bob.sdk(), bob.sdk()]);
    tabs.push(a, b1, b2);
    const all = [a, b1, b2];

    const chat = await a.client.rest.openChat(bob.name);
    for (const t of all) {
      const joined = await t.next((f) => f.action === 'join_chat', 'join_chat');
      expect(joined.data).to.deep.equal({ chat_id: chat.chat_id });
      expect(joined.position).to.be.a('string');
    }

    const first = await a.client.sendMessage(chat.chat_id, 'first!');
    expect(first).to.include({ chat_id: chat.chat_id, sender: alice.name, content: 'first!' });
    for (const t of all) expect((await t.next((f) => f.action === 'new_message' && f.data.id === first.id, 'first!')).data).to.deep.equal(first);
    const second = await b2.client.sendMessage(chat.chat_id, 'from tab 2');
    expect(second).to.include({ chat_id: chat.chat_id, sender: bob.name });
    for (const t of all) await t.next((f) => f.action === 'new_message' && f.data.id === second.id, 'from tab 2');

    // Opening it again is the same chat and no second join_chat: a barrier on b1 comes after any.
    expect((await b1.client.rest.openChat(alice.name)).chat_id).to.equal(chat.chat_id);
    await b1.client.notify('barrier', 'ping');
    expect(b1.frames.filter((f) => f.action === 'join_chat')).to.have.length(1);
  });

  it('a socket gets the frames of chats that existed before it connected', async () => {
    const alice = await newUser(svc, 'alice');
    const bob = await newUser(svc, 'bob');
    const chatId = await chatBetween(alice, bob);
    const [a, b] = await Promise.all([alice.sdk(), bob.sdk()]);
    tabs.push(a, b);
    const sent = await a.client.sendMessage(chatId, 'hello');
    expect((await b.next((f) => f.action === 'new_message', 'hello')).data).to.deep.equal(sent);
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
