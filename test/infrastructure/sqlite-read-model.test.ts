import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { SqliteReadModelStore } from '../../src/infrastructure/readmodel/sqlite/sqlite-read-model-store.js';
import { readModelContract } from '../contract/read-model.contract.js';
import { EventLog, feed, PROJECTION, registered, user } from '../contract/read-model-fixtures.js';

const tempStore = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'readmodels-'));
  const store = SqliteReadModelStore.open({ path: join(dir, 'readmodels.db') });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

readModelContract('SQLite', tempStore);

describe('SqliteReadModelStore', () => {
  it('keeps rows and checkpoint across reopening the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'readmodels-'));
    try {
      const path = join(dir, 'nested', 'readmodels.db');
      const first = SqliteReadModelStore.open({ path });
      await feed(first, new EventLog(), registered(user('alice'), 1));
      await first.close();
      const again = SqliteReadModelStore.open({ path });
      expect((await again.userByUsername('alice'))?.userId).to.equal('id-alice');
      expect((await again.checkpoint(PROJECTION))?.commit).to.equal(1n);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rolls a failing batch back with its checkpoint', async () => {
    const { store, cleanup } = await tempStore();
    try {
      const log = new EventLog();
      await feed(store, log, registered(user('alice'), 1));
      const [ok] = log.append(registered(user('bob'), 2));
      // A change the schema refuses (NULL username) fails the whole transaction.
      const bad = { position: { commit: 3n, prepare: 3n }, changes: [{ kind: 'UpsertUser', userId: 'x', username: null, nickname: '', avatar: '', at: '' }] };
      let failure: unknown;
      try {
        await store.apply(PROJECTION, [ok!, bad as unknown as NonNullable<typeof ok>]);
      } catch (e) {
        failure = e;
      }
      // The writer thread's error reaches the caller with SQLite's own words.
      expect(failure).to.be.instanceOf(Error);
      expect((failure as Error).message).to.match(/NOT NULL/);
      expect(await store.userById('id-bob')).to.equal(undefined);
      expect((await store.checkpoint(PROJECTION))?.commit).to.equal(1n);
    } finally {
      await cleanup();
    }
  });

  it('two nodes on one file apply the same log at once: neither is refused a lock, and each event lands once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'readmodels-'));
    const path = join(dir, 'readmodels.db');
    // Both read the checkpoint before they write: only a transaction that takes the write lock
    // first waits for the other node's commit instead of failing with "database is locked".
    const nodes = [SqliteReadModelStore.open({ path }), SqliteReadModelStore.open({ path })];
    try {
      const log = new EventLog();
      for (let i = 0; i < 400; i++) log.append(registered(user(`u${i}`), i));
      const batches = log.batches(2);
      await Promise.all(
        nodes.map(async (node) => {
          for (const batch of batches) await node.apply(PROJECTION, batch);
        }),
      );
      for (const node of nodes) {
        expect((await node.checkpoint(PROJECTION))?.commit).to.equal(400n);
        expect((await node.userIdsAfter(undefined, 1000)).length).to.equal(400);
      }
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
