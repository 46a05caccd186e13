import { expect } from 'chai';
import type { TestClient } from '../support/test-client.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { chatBetween, newUser } from '../ws/support.js';

const MESSAGES = Number(process.env['HOT_CHAT_MESSAGES'] ?? 2000);
/** Messages in flight per sender: each sender writes as fast as its acknowledgements allow. */
const WINDOW = 16;

/** Sends `n` messages from `client`, keeping WINDOW unacknowledged; resolves with the refusals it got. */
const flood = async (client: TestClient, chatId: string, tag: string, n: number): Promise<string[]> => {
  const refusals: string[] = [];
  let sent = 0;
  let settled = 0;
  const mine = (content: unknown) => typeof content === 'string' && content.startsWith(`${tag} `);
  const send = () => client.send('new_message', { chat_id: chatId, content: `${tag} ${sent++}`, timestamp: new Date().toISOString() });
  while (sent < Math.min(WINDOW, n)) send();
  while (settled < n) {
    const f = await client.next(
      (x) => (x.action === 'new_message' && mine(x.data['content'])) || (x.action === 'error' && x.data['for'] === 'new_message'),
      20_000,
    );
    settled += 1;
    if (f.action === 'error') refusals.push(String(f.data['code']));
    if (sent < n) send();
  }
  return refusals;
};

describe('two nodes writing to one chat at full speed', function () {
  this.timeout(180_000);
  let a: TestService;
  let b: TestService;
  before(async () => {
    const fast = { ws: { ratePerSecond: 1_000_000, rateBurst: 1_000_000 }, sqliteSynchronous: 'NORMAL' as const };
    a = await startTestService(fast);
    b = await startTestService(fast, { dataDir: a.dataDir });
  });
  after(async () => {
    await b.stop();
    await a.stop();
  });

  it(`${MESSAGES.toLocaleString('en')} messages each way, one node each: none refused, each stored once`, async () => {
    const alice = await newUser(a, 'alice');
    const bob = await newUser(a, 'bob');
    const chatId = await chatBetween(alice, bob);
    const onA = await a.connect(alice.name, { token: alice.token });
    const onB = await b.connect(bob.name, { token: bob.token });
    const [fromA, fromB] = await Promise.all([flood(onA, chatId, 'a', MESSAGES), flood(onB, chatId, 'b', MESSAGES)]);
    if (process.env['HOT_CHAT_REPORT'] !== undefined) process.stdout.write(`${JSON.stringify({ refusedA: fromA.length, refusedB: fromB.length })}\n`);
    expect([...fromA, ...fromB]).to.deep.equal([]);
    const stored = await a.http('GET', `/api/chats/${bob.name}/messages?limit=1`, { token: alice.token });
    expect((stored.body as { count: number }).count).to.equal(2 * MESSAGES);
    await Promise.all([onA.close(), onB.close()]);
  });
});
