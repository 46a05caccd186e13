import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import type { NewCheckpoint, StoredCheckpoint } from '../../src/application/ledger/ledger-store.js';
import { LEDGER_DB_FILE, SqliteLedgerStore } from '../../src/infrastructure/ledger/sqlite-ledger-store.js';
import { ledgerStoreContract } from '../contract/ledger-store.contract.js';
import { MemoryLedgerStore } from './memory-ledger-store.js';

const tempDir = (): { dir: string; remove: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
};

ledgerStoreContract('SqliteLedgerStore', async () => {
  const { dir, remove } = tempDir();
  let store = SqliteLedgerStore.open({ directory: dir });
  return {
    store,
    reopen: async () => (store = SqliteLedgerStore.open({ directory: dir })),
    cleanup: async () => {
      await store.close();
      remove();
    },
  };
});

// The test double the MerkleLog tests use must itself keep the contract.
ledgerStoreContract('MemoryLedgerStore (test double)', async () => {
  const store = new MemoryLedgerStore();
  return { store, reopen: async () => store, cleanup: async () => undefined };
});

describe('SqliteLedgerStore beyond the contract', () => {
  it('keeps its own ledger.db in WAL mode; leaves commit with synchronous=NORMAL, a checkpoint with FULL (its fsync covers the leaves before it)', async () => {
    const { dir, remove } = tempDir();
    const store = SqliteLedgerStore.open({ directory: join(dir, 'nested') });
    try {
      const db = new Database(join(dir, 'nested', LEDGER_DB_FILE), { readonly: true });
      expect(db.pragma('journal_mode', { simple: true })).to.equal('wal');
      db.close();
      // synchronous is per connection: the store's own, as each commit runs.
      const own = Reflect.get(store, 'db') as Database.Database;
      const mode = (): unknown => own.pragma('synchronous', { simple: true });
      await store.append({ start: 0, leaves: [{ eventId: 'e0', hash: Buffer.alloc(32, 1), position: '1/1' }], nodes: [] });
      expect(mode()).to.equal(1); // NORMAL: a leaf commits without an fsync
      const commit = Reflect.get(store, 'addCheckpointTx') as (c: NewCheckpoint) => StoredCheckpoint;
      const modes: unknown[] = [];
      Reflect.set(store, 'addCheckpointTx', (c: NewCheckpoint) => {
        modes.push(mode());
        return commit(c);
      });
      expect((await store.addCheckpoint({ size: 1, root: Buffer.alloc(32, 2), note: 'note', createdAt: new Date(0).toISOString() })).seq).to.equal(0);
      // FULL while the checkpoint commits (its fsync syncs the WAL, the leaf before it too), NORMAL again after.
      expect(modes).to.deep.equal([2]);
      expect(mode()).to.equal(1);
      expect((await store.latestCheckpoint())?.size).to.equal(1);
    } finally {
      await store.close();
      remove();
    }
  });
});
