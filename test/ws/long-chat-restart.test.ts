import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chatEvents } from '../../src/domain/chat/events.js';
import { toNewEvent } from '../../src/application/log/stored.js';
import { newId } from '../../src/application/shared/ids.js';
import { chatStream } from '../../src/domain/chat/chat.js';
import type { ChatEvent } from '../../src/domain/chat/events.js';
import { CLIENT_MSG_ID_WINDOW, LIKE_WINDOW } from '../../src/domain/chat/state.js';
import { SqliteSnapshotStore } from '../../src/infrastructure/snapshots/sqlite-snapshot-store.js';
import { startTestService, type TestService } from '../support/test-service.js';
import type { TestClient } from '../support/test-client.js';
import { drain, idOf, itemsOf, nextError, nextMessage, notPresence, openChat, ping, uniq } from './support.js';

/**
 * A chat longer than every window of its state, on a restarted server that loads it from its
 * snapshot: like, unlike and read on its first message still follow every rule.
 */
describe('a long chat after a restart, loaded from its snapshot', function () {
  this.timeout(60_000);
  let svc: TestService | undefined;
  let dataDir = '';
  const clients: TestClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    await svc?.stop();
    if (dataDir !== '') rmSync(dataDir, { recursive: true, force: true });
  });

  it('likes, unlikes and reads its first message, older than the windows', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'long-chat-'));
    svc = await startTestService({ snapshotEvery: 200 }, { dataDir });
    const alice = uniq('alice');
    const bob = uniq('bob');
    const chatId = await openChat(svc, alice, bob);
    const stream = chatStream(chatId);

    // Seeded through the store: message 1 (Alice's) liked by Bob, then more messages and toggles than the windows hold.
    const [A, B] = [idOf(alice), idOf(bob)];
    const first = randomUUID();
    const messages = CLIENT_MSG_ID_WINDOW + 200;
    const ids = [first, ...Array.from({ length: messages - 1 }, () => randomUUID())];
    const at = new Date().toISOString();
    const sent = (i: number): ChatEvent => ({
      type: 'MessageSent',
      data: {
        chatId,
        messageId: ids[i] ?? '',
        senderId: i % 2 === 0 ? A : B,
        content: `m${i + 1}`,
        seq: i + 1,
        date: at,
        clientTimestamp: at,
        clientMsgId: randomUUID(),
      },
    });
    const toggle = (i: number, like: boolean): ChatEvent => ({
      type: like ? 'MessageLiked' : 'MessageUnliked',
      data: { chatId, messageId: ids[i] ?? '', userId: B, at },
    });
    const seed: ChatEvent[] = [
      sent(0),
      toggle(0, true),
      ...Array.from({ length: messages - 1 }, (_, i) => sent(i + 1)),
      ...Array.from({ length: LIKE_WINDOW }, (_, i) => [toggle(2 * (i % 500) + 2, true), toggle(2 * (i % 500) + 2, false)]).flat(),
    ];
    let revision = (await svc.service.store.lastRevision(stream)) ?? -1;
    const personal = svc.service.keys.personal;
    for (let i = 0; i < seed.length; i += 500) {
      const batch = await Promise.all(
        seed.slice(i, i + 500).map((e) => toNewEvent(chatEvents, e, { correlationId: 'seed', timestamp: at }, newId(), personal)),
      );
      const result = await svc.service.store.append(stream, batch, revision);
      if (result._tag !== 'Appended') throw new Error('seed conflicted');
      revision = result.nextRevision;
    }
    // One command loads the whole stream, which writes its snapshot.
    const a0 = await svc.connect(alice);
    clients.push(a0);
    a0.send('new_message', { chat_id: chatId, content: 'after the seed', timestamp: at });
    await nextMessage(a0, 'after the seed', 10_000);
    for (const c of clients.splice(0)) await c.close();
    await svc.stop();

    const snapshots = SqliteSnapshotStore.open({ path: join(dataDir, 'snapshots.db') });
    try {
      expect((await snapshots.load(stream))?.revision, 'a snapshot of the seeded chat').to.be.at.least(revision);
    } finally {
      await snapshots.close();
    }

    svc = await startTestService({ snapshotEvery: 200 }, { dataDir });
    const a = await svc.connect(alice);
    const b = await svc.connect(bob);
    clients.push(a, b);
    const length = async () => (await svc?.service.store.lastRevision(stream)) ?? -1;
    const quiet = async (client: TestClient, what: string) => {
      await ping(client);
      expect((await drain(client)).filter(notPresence), what).to.deep.equal([]);
    };
    const before = await length();

    b.send('like_message', { id: first, chat_id: chatId });
    await quiet(b, 'liking the liked first message: no frame, no error');
    expect(await length(), 'nothing stored').to.equal(before);

    b.send('unlike_message', { id: first, chat_id: chatId });
    const update = await a.next((f) => f.action === 'chat_like_update');
    expect(update.data).to.deep.equal({ chat_id: chatId, id: first, is_liked: false });
    await b.next((f) => f.action === 'chat_like_update');
    b.send('unlike_message', { id: first, chat_id: chatId });
    await quiet(b, 'unliking it again: no frame');

    a.send('like_message', { id: first, chat_id: chatId });
    expect((await nextError(a, 'like_message')).data['code']).to.equal('cannot_like_own_message');
    a.send('read_message', { id: first });
    expect((await nextError(a, 'read_message')).data['code']).to.equal('not_recipient');
    b.send('like_message', { id: randomUUID(), chat_id: chatId });
    expect((await nextError(b, 'like_message')).data['code']).to.equal('message_not_found');

    const unread = async () =>
      itemsOf((await svc?.http('GET', '/api/chats/', { username: bob }))?.body).find((p) => p['chat_id'] === chatId)?.['unread_messages_count'];
    const unreadBefore = await unread();
    b.send('read_message', { id: first, chat_id: chatId });
    expect((await b.next((f) => f.action === 'chat_read_update')).data).to.deep.equal({ chat_id: chatId, username: bob, id: first });
    await quiet(b, 'nothing but its chat_read_update');
    expect(await unread(), 'message 1 read').to.equal(Number(unreadBefore) - 1);
    const afterRead = await length();
    b.send('read_message', { id: first });
    await quiet(b, 'reading it again: nothing');
    expect(await length(), 'reading it again stores nothing').to.equal(afterRead);
  });
});
