import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { DataKey, KeyStore } from '../../application/erasure/key-store.js';
import { KeyWrapper } from './key-wrap.js';

export const KEYS_DB_FILE = 'keys.db';

export interface SqliteKeyStoreOptions {
  /** Directory of `keys.db` (DATA_DIR); several processes may open it. */
  readonly directory: string;
  /** The key-wrapping key (master-key.ts). */
  readonly wrappingKey: Buffer;
  readonly busyTimeoutMs?: number;
}

// One row per live key; UNIQUE(user_id) is what makes racing creators end with one key.
const DDL = `
CREATE TABLE IF NOT EXISTS data_keys (
  key_id  TEXT PRIMARY KEY,
  user_id TEXT NOT NULL UNIQUE,
  wrapped BLOB NOT NULL
) WITHOUT ROWID;
`;

interface Row {
  readonly key_id: string;
  readonly user_id: string;
  readonly wrapped: Buffer;
}

const unique = (ids: readonly string[]): string[] => [...new Set(ids)];

/**
 * Data keys in their own SQLite file. Not derived data: losing keys.db loses every user's personal
 * data, hence `synchronous=FULL`. Destroying must leave no copy of a key in the files:
 * `secure_delete` zeroes deleted rows and freed pages, and a TRUNCATE checkpoint then copies the
 * zeroed pages over the database file and empties the WAL, where the key's earlier frames were.
 */
export class SqliteKeyStore implements KeyStore {
  private readonly byUsers: Database.Statement<[string], Row>;
  private readonly byIds: Database.Statement<[string], Row>;
  private readonly insert: Database.Statement<[Row]>;
  private readonly deleteUsers: Database.Statement<[string]>;
  private readonly deleteIds: Database.Statement<[string]>;
  private readonly idsOfUsers: Database.Statement<[string], { readonly key_id: string; readonly user_id: string }>;
  private readonly users: Database.Statement<[], { readonly user_id: string }>;
  private readonly createMissing: Database.Transaction<(rows: readonly Row[]) => void>;

  private constructor(
    private readonly db: Database.Database,
    private readonly wrapper: KeyWrapper,
  ) {
    // A JSON array of ids binds as one parameter, whatever the batch size.
    this.byUsers = db.prepare('SELECT key_id, user_id, wrapped FROM data_keys WHERE user_id IN (SELECT value FROM json_each(?))');
    this.byIds = db.prepare('SELECT key_id, user_id, wrapped FROM data_keys WHERE key_id IN (SELECT value FROM json_each(?))');
    // Only a user conflict is expected; a key id clash (never, with 128 random bits) must fail loudly.
    this.insert = db.prepare('INSERT INTO data_keys (key_id, user_id, wrapped) VALUES (@key_id, @user_id, @wrapped) ON CONFLICT (user_id) DO NOTHING');
    this.deleteUsers = db.prepare('DELETE FROM data_keys WHERE user_id IN (SELECT value FROM json_each(?))');
    this.deleteIds = db.prepare('DELETE FROM data_keys WHERE key_id IN (SELECT value FROM json_each(?))');
    this.idsOfUsers = db.prepare('SELECT key_id, user_id FROM data_keys WHERE user_id IN (SELECT value FROM json_each(?))');
    this.users = db.prepare('SELECT user_id FROM data_keys ORDER BY user_id');
    this.createMissing = db.transaction((rows: readonly Row[]) => {
      for (const row of rows) this.insert.run(row);
    });
  }

  static open(options: SqliteKeyStoreOptions): SqliteKeyStore {
    const wrapper = new KeyWrapper(options.wrappingKey);
    mkdirSync(options.directory, { recursive: true });
    const db = new Database(join(options.directory, KEYS_DB_FILE));
    try {
      // First: processes opening keys.db at once wait for each other's schema and journal changes.
      db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
      // Per connection, before any write: every connection that deletes must zero what it deletes.
      if (db.pragma('secure_delete = ON', { simple: true }) !== 1) throw new Error('SQLite keys: could not enable secure_delete');
      const mode: unknown = db.pragma('journal_mode = WAL', { simple: true });
      if (typeof mode !== 'string' || mode.toLowerCase() !== 'wal') throw new Error(`SQLite keys: could not enable WAL (journal_mode=${String(mode)})`);
      db.pragma('synchronous = FULL');
      db.exec(DDL);
      return new SqliteKeyStore(db, wrapper);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  async currentKeys(userIds: readonly string[]): Promise<ReadonlyMap<string, DataKey>> {
    const wanted = unique(userIds);
    const found = this.keysOfUsers(wanted);
    const missing = wanted.filter((u) => !found.has(u));
    if (missing.length === 0) return found;
    // Insert-if-absent, then read back: a racing node's key wins over ours wherever it got there first.
    this.createMissing.immediate(
      missing.map((userId) => {
        const { key, wrapped } = this.wrapper.newKey(userId);
        return { key_id: key.keyId, user_id: userId, wrapped };
      }),
    );
    const created = this.keysOfUsers(missing);
    for (const userId of missing) {
      const key = created.get(userId);
      if (key === undefined) throw new Error(`SQLite keys: no key for user ${JSON.stringify(userId)} after creating it`);
      found.set(userId, key);
    }
    return found;
  }

  async keysByIds(keyIds: readonly string[]): Promise<ReadonlyMap<string, DataKey>> {
    const keys = new Map<string, DataKey>();
    if (keyIds.length === 0) return keys;
    for (const row of this.byIds.all(JSON.stringify(unique(keyIds)))) keys.set(row.key_id, this.unwrap(row));
    return keys;
  }

  async keyIdsOf(userIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
    if (userIds.length === 0) return new Map();
    return new Map(this.idsOfUsers.all(JSON.stringify(unique(userIds))).map((r) => [r.user_id, r.key_id]));
  }

  async destroyKeysOf(userIds: readonly string[]): Promise<number> {
    return this.destroyWith(this.deleteUsers, userIds);
  }

  async destroyKeys(keyIds: readonly string[]): Promise<number> {
    return this.destroyWith(this.deleteIds, keyIds);
  }

  private destroyWith(remove: Database.Statement<[string]>, ids: readonly string[]): number {
    const destroyed = ids.length === 0 ? 0 : remove.run(JSON.stringify(unique(ids))).changes;
    // Also when nothing was deleted: a retry after a checkpoint kept busy by a reader finishes the scrub.
    // The first column is `busy`: 1 when a reader kept the checkpoint from finishing.
    const busy: unknown = this.db.pragma('wal_checkpoint(TRUNCATE)', { simple: true });
    if (busy !== 0) throw new Error('SQLite keys: the keys are deleted but keys.db-wal could not be emptied (a reader held it); destroy again to finish');
    return destroyed;
  }

  async usersWithKeys(): Promise<readonly string[]> {
    return this.users.all().map((r) => r.user_id);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private keysOfUsers(userIds: readonly string[]): Map<string, DataKey> {
    const keys = new Map<string, DataKey>();
    if (userIds.length === 0) return keys;
    for (const row of this.byUsers.all(JSON.stringify(userIds))) keys.set(row.user_id, this.unwrap(row));
    return keys;
  }

  private unwrap(row: Row): DataKey {
    return this.wrapper.unwrap(row.key_id, row.user_id, row.wrapped);
  }
}
