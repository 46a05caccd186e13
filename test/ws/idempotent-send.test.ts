import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { TestClient } from '../support/test-client.js';
import { startTestService } from '../support/test-service.js';
import { chatBetween, newUser, sleep, type User } from './support.js';

const sendWithId = (c: TestClient, chatId: string, content: string, clientMsgId: string, timestamp = '2026-12-01T10:00:00.000Z') =>
  c.send('new_message', { chat_id: chatId, content, timestamp, client_msg_id: clientMsgId });

const ackOf = (c: TestClient, clientMsgId: string) => c.next((f) => f.action === 'new_message' && f.data['client_msg_id'] === clientMsgId, 5000);

const storedCount = async (user: User, peer: User): Promise<number> =>
  ((await user.http('GET', `/api/chats/${peer.name}/messages?limit=1`)).body as { count: number }).count;

describe('idempotent sends: a repeated client_msg_id stores nothing new, on any node, after a restart', function () {
  this.timeout(30_000);
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'idempotent-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('on one node: the repeat is acknowledged with the original message; the other member sees it once', async () => {
    const svc = await startTestService({}, { dataDir });
    try {
      const alice = await newUser(svc, 'alice');
      const bob = await newUser(svc, 'bob');
      const chatId = await chatBetween(alice, bob);
      const a = await alice.connect();
      const b = await bob.connect();
      const id = randomUUID();
      sendWithId(a, chatId, 'once only', id);
      const first = await ackOf(a, id);
      expect(first.position).to.be.a('string');
      sendWithId(a, chatId, 'once only', id);
      const again = await ackOf(a, id);
      expect(again.data['id']).to.equal(first.data['id']);
      expect(again.data).to.include({ chat_id: chatId, content: 'once only', sender: alice.name, client_msg_id: id });
      expect(await storedCount(alice, bob)).to.equal(1);
      await ackOf(b, id);
      await sleep(200);
      expect(b.pending().filter((f) => f.action === 'new_message')).to.deep.equal([]);
      await Promise.all([a.close(), b.close()]);
    } finally {
      await svc.stop();
    }
  });

  it('sent on one node, repeated on another: stored once', async () => {
    const a = await startTestService({}, { dataDir });
    const b = await startTestService({}, { dataDir });
    try {
      const alice = await newUser(a, 'alice');
      const bob = await newUser(a, 'bob');
      const chatId = await chatBetween(alice, bob);
      const onA = await a.connect(alice.name, { token: alice.token });
      const onB = await b.connect(alice.name, { token: alice.token });
      const id = randomUUID();
      sendWithId(onA, chatId, 'two nodes', id);
      const first = await ackOf(onA, id);
      await ackOf(onB, id); // every tab of the sender gets the first frame
      sendWithId(onB, chatId, 'two nodes', id);
      const again = await ackOf(onB, id);
      expect(again.data['id']).to.equal(first.data['id']);
      expect(await storedCount(alice, bob)).to.equal(1);
      await Promise.all([onA.close(), onB.close()]);
    } finally {
      await b.stop();
      await a.stop();
    }
  });

  it('sent, the service restarted, repeated: stored once', async () => {
    const first = await startTestService({}, { dataDir });
    const alice = await newUser(first, 'alice');
    const bob = await newUser(first, 'bob');
    const chatId = await chatBetween(alice, bob);
    const id = randomUUID();
    const before = await first.connect(alice.name, { token: alice.token });
    sendWithId(before, chatId, 'across a restart', id);
    const original = await ackOf(before, id);
    await first.stop();
    const second = await startTestService({}, { dataDir });
    try {
      const after = await second.connect(alice.name, { token: alice.token });
      sendWithId(after, chatId, 'across a restart', id);
      expect((await ackOf(after, id)).data['id']).to.equal(original.data['id']);
      const stored = await second.http('GET', `/api/chats/${bob.name}/messages?limit=1`, { token: alice.token });
      expect((stored.body as { count: number }).count).to.equal(1);
      await after.close();
    } finally {
      await second.stop();
    }
  });
});
