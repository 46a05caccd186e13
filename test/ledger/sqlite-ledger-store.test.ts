import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
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
  it('keeps its own ledger.db in WAL mode with synchronous=FULL', async () => {
    const { dir, remove } = tempDir();
    const store = SqliteLedgerStore.open({ directory: join(dir, 'nested') });
    try {
      const db = new Database(join(dir, 'nested', LEDGER_DB_FILE), { readonly: true });
      expect(db.pragma('journal_mode', { simple: true })).to.equal('wal');
      db.close();
      // synchronous is per connection: read it from the store's own.
      const own = Reflect.get(store, 'db') as Database.Database;
      expect(own.pragma('synchronous', { simple: true })).to.equal(2); // FULL
    } finally {
      await store.close();
      remove();
    }
  });
});
