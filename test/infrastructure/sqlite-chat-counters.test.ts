import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { compareReadModels } from '../../src/application/audit/compare-read-models.js';
import { positionOf } from '../../src/application/ports/position.js';
import type { PositionedChanges, ReadModelChange } from '../../src/application/ports/read-model.js';
import { SqliteReadModelStore } from '../../src/infrastructure/readmodel/sqlite/sqlite-read-model-store.js';
import { at, PROJECTION, uuid } from '../contract/read-model-fixtures.js';
import { prng } from '../support/prng.js';

const USERS = ['u0', 'u1', 'u2', 'u3', 'u4'];

/**
 * A history that exercises every interaction of the summed chat counters: several chats
 * interleaved, both members sending, read receipts between messages (some that do not move the
 * watermark), a chat created after messages already named it, duplicate message ids and seqs,
 * and a sender who is not a member.
 */
const history = (seed: number, events: number): PositionedChanges[] => {
  const random = prng(seed); // the same history on every run
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const chats = [0, 1, 2, 3].map((i) => ({ chatId: uuid(0xc0 + i), members: [USERS[i] ?? '', USERS[i + 1] ?? ''] as const, seq: 0, ids: [] as string[] }));
  const out: PositionedChanges[] = [];
  const push = (...changes: ReadModelChange[]): void => {
    out.push({ position: positionOf(out.length + 1), changes });
  };
  for (const u of USERS) push({ kind: 'UpsertUser', userId: u, username: u, nickname: u, avatar: '', at: at(0) });
  // The last chat is created only halfway through: its earlier messages find no chat rows.
  for (const c of chats.slice(0, 3)) push({ kind: 'CreateChat', chatId: c.chatId, members: c.members, at: at(1) });
  let t = 10;
  for (let i = 0; i < events; i++) {
    t += 1;
    const last = chats[3];
    if (i === Math.floor(events / 2) && last !== undefined) push({ kind: 'CreateChat', chatId: last.chatId, members: last.members, at: at(t) });
    const c = pick(chats);
    const r = random();
    if (r < 0.6) {
      const senderId = random() < 0.05 ? 'stranger' : pick(c.members);
      const duplicate = c.ids.length > 0 && random() < 0.05;
      const messageId = duplicate ? pick(c.ids) : uuid(0x10000 + i);
      const seq = random() < 0.05 && c.seq > 0 ? c.seq : ++c.seq;
      c.ids.push(messageId);
      push({ kind: 'AddMessage', chatId: c.chatId, messageId, senderId, content: `m${i}`, seq, date: at(t) });
    } else if (r < 0.85) {
      const readerId = pick(c.members);
      const senderId = random() < 0.9 ? (c.members.find((m) => m !== readerId) ?? '') : readerId;
      push({ kind: 'MarkMessagesRead', chatId: c.chatId, readerId, senderId, throughSeq: Math.floor(random() * (c.seq + 1)) });
    } else if (c.ids.length > 0) {
      push({ kind: 'SetLiked', chatId: c.chatId, messageId: pick(c.ids), liked: random() < 0.7 });
    }
  }
  return out;
};

const dump = (path: string): Record<string, unknown[]> => {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return {
      chats: db.prepare('SELECT * FROM chats ORDER BY id').all(),
      chat_members: db.prepare('SELECT * FROM chat_members ORDER BY chat_id, user_id').all(),
      messages: db.prepare('SELECT * FROM messages ORDER BY chat_id, seq').all(),
    };
  } finally {
    db.close();
  }
};

describe('SQLite read models: chat counters summed per transaction', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'chat-counters-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Applies the log in batches of `size` events and returns the file's rows. */
  const applyIn = async (name: string, log: readonly PositionedChanges[], size: number): Promise<{ path: string; store: SqliteReadModelStore }> => {
    const path = join(dir, `${name}.db`);
    const store = SqliteReadModelStore.open({ path });
    for (let i = 0; i < log.length; i += size) await store.apply(PROJECTION, log.slice(i, i + size));
    return { path, store };
  };

  for (const seed of [1, 2, 3]) {
    it(`gives the same rows and answers in one batch as one event at a time (seed ${seed})`, async () => {
      const log = history(seed, 400);
      const one = await applyIn('one-at-a-time', log, 1);
      const all = await applyIn('one-batch', log, log.length);
      const some = await applyIn('batches-of-7', log, 7);
      try {
        expect(await compareReadModels(one.store, all.store)).to.deep.equal([]);
        expect(await compareReadModels(one.store, some.store)).to.deep.equal([]);
      } finally {
        for (const s of [one, all, some]) await s.store.close();
      }
      const expected = dump(one.path);
      // The history must reach the cases it is about: counts moved and were recounted.
      expect(expected['chat_members']?.some((r) => (r as { unread_count: number }).unread_count > 0)).to.equal(true);
      expect(expected['chat_members']?.some((r) => (r as { read_through: number }).read_through > 0)).to.equal(true);
      expect(dump(all.path)).to.deep.equal(expected);
      expect(dump(some.path)).to.deep.equal(expected);
    });
  }

  it('writes nothing of a batch that failed, not even in the next batch', async () => {
    const chatId = uuid(0xc1);
    const path = join(dir, 'failed.db');
    const store = SqliteReadModelStore.open({ path });
    try {
      await store.apply(PROJECTION, [{ position: positionOf(1), changes: [{ kind: 'CreateChat', chatId, members: ['a', 'b'], at: at(1) }] }]);
      const message = (n: number): PositionedChanges => ({
        position: positionOf(n),
        changes: [{ kind: 'AddMessage', chatId, messageId: uuid(n), senderId: 'a', content: `m${n}`, seq: n, date: at(n) }],
      });
      // The schema refuses a NULL username: the whole batch rolls back.
      const bad = { position: positionOf(3), changes: [{ kind: 'UpsertUser', userId: 'x', username: null, nickname: '', avatar: '', at: '' }] };
      let failed = false;
      try {
        await store.apply(PROJECTION, [message(2), bad as unknown as PositionedChanges]);
      } catch {
        failed = true;
      }
      expect(failed).to.equal(true);
      await store.apply(PROJECTION, [message(4)]);
      expect((await store.messages(chatId, { limit: 10, offset: 0 })).count).to.equal(1);
      expect((await store.chatPreview('b', chatId))?.unread_messages_count).to.equal(1);
    } finally {
      await store.close();
    }
  });
});
