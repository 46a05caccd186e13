import { expect } from 'chai';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteSnapshotStore } from '../../src/infrastructure/snapshots/sqlite-snapshot-store.js';
import { snapshotStoreContract } from '../contract/snapshot-store.contract.js';

const tempPath = (): { path: string; remove: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-snap-'));
  return { path: join(dir, 'snapshots.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
};

snapshotStoreContract('SqliteSnapshotStore', async () => {
  const file = tempPath();
  const store = SqliteSnapshotStore.open({ path: file.path });
  return {
    store,
    reopen: async () => SqliteSnapshotStore.open({ path: file.path }),
    cleanup: async () => {
      await store.close();
      file.remove();
    },
  };
});

describe('SqliteSnapshotStore beyond the contract', () => {
  let file: { path: string; remove: () => void };
  let store: SqliteSnapshotStore;
  beforeEach(() => {
    file = tempPath();
    store = SqliteSnapshotStore.open({ path: file.path });
  });
  afterEach(async () => {
    await store.close();
    file.remove();
  });

  it('keeps its file in WAL mode', () => {
    const db = new Database(file.path, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).to.equal('wal');
    } finally {
      db.close();
    }
  });

  it('answers undefined for a row whose state is not JSON, or whose fields are wrong', async () => {
    await store.save({ streamId: 's', version: 1, revision: 3, eventId: 'e', state: { ok: true } });
    const db = new Database(file.path);
    try {
      db.prepare("UPDATE snapshots SET state = '{not json' WHERE stream_id = 's'").run();
      expect(await store.load('s')).to.equal(undefined);
      db.prepare("UPDATE snapshots SET state = '{}', revision = -4 WHERE stream_id = 's'").run();
      expect(await store.load('s')).to.equal(undefined);
    } finally {
      db.close();
    }
  });
});
