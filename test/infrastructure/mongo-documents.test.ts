import { expect } from 'chai';
import { Query } from 'mingo';
import type { PositionedChanges, ReadModelChange } from '../../src/application/ports/read-model.js';
import { positionOf } from '../../src/application/ports/position.js';
import { changeKey } from '../../src/infrastructure/readmodel/position-key.js';
import { applyBatch } from '../../src/infrastructure/readmodel/mongo/apply-batch.js';
import {
  blocksBetween,
  fanOutPipeline,
  lastMessagesPipeline,
  notificationsOf,
  unreadCountFilter,
  writesFor,
  type WriteOp,
} from '../../src/infrastructure/readmodel/mongo/documents.js';
import { MongoReadModels } from '../../src/infrastructure/readmodel/mongo/mongo-read-models.js';
import { databaseOf } from '../../src/infrastructure/readmodel/mongo/open-mongo-read-models.js';
import { readModelContract } from '../contract/read-model.contract.js';
import { ALICE, BOB, CAROL, DAVE, PROJECTION, scriptedHistory, snapshot } from '../contract/read-model-fixtures.js';
import { MemoryDocumentDb } from './memory-document-db.js';

// The whole contract, on the documents the MongoDB adapter sends, evaluated by mingo.
readModelContract('MongoDB documents in memory (mingo)', async () => ({
  store: new MongoReadModels(new MemoryDocumentDb()),
  cleanup: async () => {},
}));

const key = (n: number): string => changeKey(positionOf(n), 0);

/** Runs the writes of `change` at position `n` as the adapter would (MarkMessagesRead counts first). */
const run = async (db: MemoryDocumentDb, n: number, change: ReadModelChange): Promise<void> => {
  const unreadAfter = change.kind === 'MarkMessagesRead' ? await db.count('messages', unreadCountFilter(change)) : 0;
  for (const op of writesFor(change, key(n), { unreadAfter })) {
    if (op.kind === 'aggregate') await db.aggregate(op.collection, op.pipeline);
    else await db.update(op);
  }
};

const applyAll = async (db: MemoryDocumentDb, batches: readonly PositionedChanges[][]): Promise<void> => {
  for (const b of batches) await applyBatch(db, PROJECTION, b);
};

describe('MongoDB read-model documents (mingo)', () => {
  describe('redelivery', () => {
    const script = scriptedHistory();
    const batches = script.log.batches(8);

    it('a crash after any write of a batch, then redelivery of every batch, ends where one clean delivery does', async () => {
      const clean = new MemoryDocumentDb();
      await applyAll(clean, batches);
      const expected = clean.state();
      expect(clean.writes).to.be.greaterThan(script.log.events.length);
      for (let crashAt = 0; crashAt < clean.writes; crashAt++) {
        const db = new MemoryDocumentDb();
        db.crashAfterWrites = crashAt;
        let crashed = false;
        try {
          await applyAll(db, batches);
        } catch {
          crashed = true;
        }
        expect(crashed, `crash at write ${crashAt}`).to.equal(true);
        db.crashAfterWrites = undefined;
        await applyAll(db, batches);
        expect(db.state(), `crash at write ${crashAt}`).to.deep.equal(expected);
      }
    });

    it('the position guards alone make a redelivered batch a no-op, even with the checkpoint lost', async () => {
      const db = new MemoryDocumentDb();
      await applyAll(db, batches);
      const before = db.state();
      const answers = await snapshot(new MongoReadModels(db), script);
      db.collections.checkpoints.length = 0;
      await applyAll(db, batches);
      await applyBatch(db, PROJECTION, batches.flat());
      expect(db.state()).to.deep.equal(before);
      expect(await snapshot(new MongoReadModels(db), script)).to.deep.equal(answers);
    });

    it('answers like one clean delivery after a crash', async () => {
      const clean = new MongoReadModels(new MemoryDocumentDb());
      for (const b of batches) await clean.apply(PROJECTION, b);
      const db = new MemoryDocumentDb();
      db.crashAfterWrites = 60;
      await applyAll(db, batches).catch(() => undefined);
      db.crashAfterWrites = undefined;
      await applyAll(db, batches);
      expect(await snapshot(new MongoReadModels(db), script)).to.deep.equal(await snapshot(clean, script));
    });
  });

  describe('position guards', () => {
    const upsert = (username: string, nickname: string): ReadModelChange => ({ kind: 'UpsertUser', userId: 'u1', username, nickname, avatar: '', at: '' });

    it('an older profile or presence change does not overwrite a newer one, and makes no duplicate', async () => {
      const db = new MemoryDocumentDb();
      await run(db, 1, upsert('a', 'first'));
      await run(db, 3, upsert('a', 'third'));
      await run(db, 4, { kind: 'SetOnline', userId: 'u1', online: true, at: '' });
      await run(db, 1, upsert('a', 'first'));
      await run(db, 2, { kind: 'SetOnline', userId: 'u1', online: false, at: '' });
      expect(db.collections.users).to.have.length(1);
      expect(db.collections.users[0]).to.deep.include({ nickname: 'third', online: true, _pos: key(4), profile_pos: key(3), _created: key(1) });
    });

    it('a redelivered Block after Unblock stays unblocked', async () => {
      const db = new MemoryDocumentDb();
      const block: ReadModelChange = { kind: 'Block', userId: 'a', blockedId: 'b', at: 't1' };
      await run(db, 1, block);
      await run(db, 2, { kind: 'Unblock', userId: 'a', blockedId: 'b' });
      await run(db, 1, block);
      expect(db.collections.blocks).to.have.length(1);
      expect(db.collections.blocks[0]).to.deep.include({ active: false, _pos: key(2) });
      await run(db, 3, { ...block, at: 't3' });
      expect(db.collections.blocks[0]).to.deep.include({ active: true, at: 't3' });
    });

    it('a redelivered like does not undo a later unlike', async () => {
      const db = new MemoryDocumentDb();
      await run(db, 1, { kind: 'CreateChat', chatId: 'c', members: ['a', 'b'], at: 't' });
      await run(db, 2, { kind: 'AddMessage', chatId: 'c', messageId: 'm', senderId: 'a', content: 'x', seq: 1, date: 't' });
      await run(db, 3, { kind: 'SetLiked', chatId: 'c', messageId: 'm', liked: true });
      await run(db, 4, { kind: 'SetLiked', chatId: 'c', messageId: 'm', liked: false });
      await run(db, 3, { kind: 'SetLiked', chatId: 'c', messageId: 'm', liked: true });
      await run(db, 2, { kind: 'AddMessage', chatId: 'c', messageId: 'm', senderId: 'a', content: 'x', seq: 1, date: 't' });
      expect(db.collections.messages[0]).to.deep.include({ liked: false });
      expect(db.collections.chats[0]).to.deep.include({ message_count: 1, last_seq: 1 });
      const recipient = db.collections.members.find((m) => m['user_id'] === 'b');
      expect(recipient).to.deep.include({ unread_count: 1 });
    });

    it('the read watermark only moves forward and recounts what stays unread', async () => {
      const db = new MemoryDocumentDb();
      await run(db, 1, { kind: 'CreateChat', chatId: 'c', members: ['a', 'b'], at: 't' });
      for (let seq = 1; seq <= 4; seq++)
        await run(db, 1 + seq, { kind: 'AddMessage', chatId: 'c', messageId: `m${seq}`, senderId: 'a', content: 'x', seq, date: 't' });
      const reader = () => db.collections.members.find((m) => m['user_id'] === 'b');
      expect(reader()).to.deep.include({ unread_count: 4, read_through: 0 });
      await run(db, 10, { kind: 'MarkMessagesRead', chatId: 'c', readerId: 'b', senderId: 'a', throughSeq: 3 });
      expect(reader()).to.deep.include({ unread_count: 1, read_through: 3 });
      await run(db, 11, { kind: 'MarkMessagesRead', chatId: 'c', readerId: 'b', senderId: 'a', throughSeq: 2 });
      expect(reader()).to.deep.include({ unread_count: 1, read_through: 3 });
    });

    it('mark-all only reaches notifications older than itself', async () => {
      const db = new MemoryDocumentDb();
      const add = (id: string): ReadModelChange => ({
        kind: 'AddNotification',
        userId: 'u',
        notificationId: id,
        action: 'new_friend',
        data: { sender_id: 'f' },
        date: 't',
      });
      await run(db, 1, add('n1'));
      await run(db, 3, add('n3'));
      await run(db, 2, { kind: 'MarkAllNotificationsRead', userId: 'u', at: 't' });
      await run(db, 1, add('n1'));
      const readOf = (id: string) => db.collections.notifications.find((n) => n['notification_id'] === id)?.['is_read'];
      expect([readOf('n1'), readOf('n3')]).to.deep.equal([true, false]);
      expect(db.collections.notifications).to.have.length(2);
    });
  });

  describe('builders', () => {
    it('take the database from the connection string, else a default', () => {
      expect(databaseOf('mongodb://localhost:27017')).to.equal('chat_events');
      expect(databaseOf('mongodb://localhost:27017/?replicaSet=rs0')).to.equal('chat_events');
      expect(databaseOf('mongodb://u:p@a:1,b:2/chat?authSource=admin')).to.equal('chat');
      expect(databaseOf('mongodb+srv://cluster.example.net/prod')).to.equal('prod');
    });

    it('fan-out reaches users created before it, except the organizer and the excluded, and keeps existing ones', async () => {
      const db = new MemoryDocumentDb();
      db.collections.users.push(
        { _id: 'org', _created: key(1) },
        { _id: 'a', _created: key(2) },
        { _id: 'b', _created: key(3) },
        { _id: 'blocked', _created: key(4) },
        { _id: 'late', _created: key(9) },
      );
      db.collections.notifications.push({ user_id: 'a', notification_id: 't', is_read: true, _created: key(5) });
      const change: Extract<ReadModelChange, { kind: 'AddNotificationForAllUsers' }> = {
        kind: 'AddNotificationForAllUsers',
        exceptUserIds: ['org', 'blocked'],
        notificationId: 't',
        action: 'new_tournament',
        data: { tournament_id: 't', tournament_name: '$not a field path', organizer_id: 'org' },
        date: 'd',
      };
      await db.aggregate('users', fanOutPipeline(change, key(5)));
      const byUser = Object.fromEntries(db.collections.notifications.map((n) => [String(n['user_id']), n]));
      expect(Object.keys(byUser).sort()).to.deep.equal(['a', 'b']);
      expect(byUser['a']).to.deep.include({ is_read: true });
      expect(byUser['b']).to.deep.include({ is_read: false, subject_id: 'org', date: 'd', _created: key(5), action: 'new_tournament' });
      expect(byUser['b']?.['data']).to.deep.equal(change.data);
    });

    it('select the newest message per chat, blocks either way, and notifications by read state', () => {
      const messages = [
        { _id: 'x1', chat_id: 'c1', seq: 1 },
        { _id: 'x2', chat_id: 'c1', seq: 2 },
        { _id: 'y1', chat_id: 'c2', seq: 1 },
        { _id: 'z9', chat_id: 'c3', seq: 9 },
      ];
      const db = new MemoryDocumentDb();
      db.collections.messages.push(...messages);
      return db.aggregate<{ _id: string; message: { _id: string } }>('messages', lastMessagesPipeline(['c1', 'c2'])).then((last) => {
        expect(last.map((l) => [l._id, l.message._id]).sort()).to.deep.equal([
          ['c1', 'x2'],
          ['c2', 'y1'],
        ]);
        const blocks = [
          { user_id: ALICE.id, blocked_id: BOB.id, active: true },
          { user_id: CAROL.id, blocked_id: ALICE.id, active: true },
          { user_id: ALICE.id, blocked_id: DAVE.id, active: false },
          { user_id: BOB.id, blocked_id: CAROL.id, active: true },
        ];
        const between = new Query(blocksBetween(ALICE.id, [BOB.id, CAROL.id, DAVE.id]) as Record<string, unknown>);
        expect(blocks.filter((b) => between.test(b))).to.deep.equal([blocks[0], blocks[1]]);
        const notes = [
          { user_id: 'u', is_read: true },
          { user_id: 'u', is_read: false },
          { user_id: 'v', is_read: false },
        ];
        const pick = (f: 'all' | 'unread' | 'read') => notes.filter((n) => new Query(notificationsOf('u', f).filter as Record<string, unknown>).test(n));
        expect(pick('all')).to.deep.equal([notes[0], notes[1]]);
        expect(pick('unread')).to.deep.equal([notes[1]]);
        expect(pick('read')).to.deep.equal([notes[0]]);
      });
    });

    it('guard every order-sensitive write by the change key', () => {
      const k = key(7);
      const changes: ReadModelChange[] = [
        { kind: 'UpsertUser', userId: 'u', username: 'n', nickname: '', avatar: '', at: '' },
        { kind: 'SetOnline', userId: 'u', online: true, at: '' },
        { kind: 'SetLiked', chatId: 'c', messageId: 'm', liked: true },
        { kind: 'MarkMessagesRead', chatId: 'c', readerId: 'r', senderId: 's', throughSeq: 3 },
        { kind: 'Block', userId: 'u', blockedId: 'b', at: '' },
        { kind: 'Unblock', userId: 'u', blockedId: 'b' },
      ];
      const guarded = (op: WriteOp): boolean => op.kind === 'update' && JSON.stringify(op.filter).includes(`{"$lt":"${k}"}`);
      for (const c of changes) expect(writesFor(c, k).every(guarded), c.kind).to.equal(true);
      const addMessage = writesFor({ kind: 'AddMessage', chatId: 'c', messageId: 'm', senderId: 's', content: '', seq: 1, date: '' }, k);
      expect(addMessage.slice(1).every(guarded), 'counters and activity').to.equal(true);
    });
  });
});
