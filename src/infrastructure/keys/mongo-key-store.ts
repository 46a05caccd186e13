import { Binary, MongoBulkWriteError, MongoServerError, type Collection, type Db, type Filter } from 'mongodb';
import type { DataKey, KeyStore } from '../../application/erasure/key-store.js';
import { KeyWrapper } from './key-wrap.js';

export const KEYS_COLLECTION = 'data_keys';

export interface MongoKeyStoreOptions {
  /** The key-wrapping key (master-key.ts). */
  readonly wrappingKey: Buffer;
  readonly collection?: string;
}

/** `_id` is the key id; the unique index on `user_id` is what makes racing creators end with one key. */
type KeyDoc = { _id: string; user_id: string; wrapped: Binary };

const DUPLICATE_KEY = 11000;

const unique = (ids: readonly string[]): string[] => [...new Set(ids)];

/** A racing node inserted the user's key first: ours is dropped, theirs is read back. */
const onlyDuplicateKeys = (e: unknown): boolean => {
  if (e instanceof MongoBulkWriteError) {
    const errors = Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
    return e.writeConcernError === undefined && errors.length > 0 && errors.every((w) => w.code === DUPLICATE_KEY);
  }
  return e instanceof MongoServerError && e.code === DUPLICATE_KEY;
};

/**
 * Data keys in a MongoDB collection, wrapped. Writes wait for a journaled majority: a key lost in
 * a fail-over would leave whatever was sealed with it unreadable. Unlike SQLite's secure_delete,
 * MongoDB gives no way to scrub a deleted document: its bytes may stay in WiredTiger's free space,
 * the journal and the oplog (the insert entry carries the wrapped key) until overwritten. They stay
 * wrapped under a key kept outside the database; DATA_KEY is what must not leak with them.
 */
export class MongoKeyStore implements KeyStore {
  private constructor(
    private readonly col: Collection<KeyDoc>,
    private readonly wrapper: KeyWrapper,
    private readonly onClose: (() => Promise<void>) | undefined,
  ) {}

  /** On a database whose client the caller owns (`onClose` runs on `close()`); the index is created first. */
  static async on(db: Db, options: MongoKeyStoreOptions, onClose?: () => Promise<void>): Promise<MongoKeyStore> {
    const wrapper = new KeyWrapper(options.wrappingKey);
    const col = db.collection<KeyDoc>(options.collection ?? KEYS_COLLECTION, { writeConcern: { w: 'majority', journal: true } });
    await col.createIndex({ user_id: 1 }, { name: 'user', unique: true });
    return new MongoKeyStore(col, wrapper, onClose);
  }

  async currentKeys(userIds: readonly string[]): Promise<ReadonlyMap<string, DataKey>> {
    const wanted = unique(userIds);
    if (wanted.length === 0) return new Map();
    const found = await this.keysWhere({ user_id: { $in: wanted } });
    const missing = wanted.filter((u) => !found.has(u));
    if (missing.length === 0) return found;
    const inserts = missing.map((userId) => {
      const { key, wrapped } = this.wrapper.newKey(userId);
      return { updateOne: { filter: { user_id: userId }, update: { $setOnInsert: { _id: key.keyId, wrapped: new Binary(wrapped) } }, upsert: true } };
    });
    try {
      await this.col.bulkWrite(inserts, { ordered: false });
    } catch (e) {
      if (!onlyDuplicateKeys(e)) throw e;
    }
    const created = await this.keysWhere({ user_id: { $in: missing } });
    for (const userId of missing) {
      const key = created.get(userId);
      if (key === undefined) throw new Error(`MongoDB keys: no key for user ${JSON.stringify(userId)} after creating it`);
      found.set(userId, key);
    }
    return found;
  }

  async keysByIds(keyIds: readonly string[]): Promise<ReadonlyMap<string, DataKey>> {
    if (keyIds.length === 0) return new Map();
    const byUser = await this.keysWhere({ _id: { $in: unique(keyIds) } });
    return new Map([...byUser.values()].map((k) => [k.keyId, k]));
  }

  async keyIdsOf(userIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
    if (userIds.length === 0) return new Map();
    const docs = await this.col.find({ user_id: { $in: unique(userIds) } }, { projection: { _id: 1, user_id: 1 } }).toArray();
    return new Map(docs.map((d) => [d.user_id, d._id]));
  }

  async destroyKeysOf(userIds: readonly string[]): Promise<number> {
    if (userIds.length === 0) return 0;
    const { deletedCount } = await this.col.deleteMany({ user_id: { $in: unique(userIds) } });
    return deletedCount;
  }

  async destroyKeys(keyIds: readonly string[]): Promise<number> {
    if (keyIds.length === 0) return 0;
    const { deletedCount } = await this.col.deleteMany({ _id: { $in: unique(keyIds) } });
    return deletedCount;
  }

  async usersWithKeys(): Promise<readonly string[]> {
    const users = await this.col.distinct('user_id');
    return users.sort();
  }

  async close(): Promise<void> {
    await this.onClose?.();
  }

  /** Unwrapped keys by user: a user has at most one (the unique index). */
  private async keysWhere(filter: Filter<KeyDoc>): Promise<Map<string, DataKey>> {
    const docs = await this.col.find(filter).toArray();
    return new Map(docs.map((d) => [d.user_id, this.wrapper.unwrap(d._id, d.user_id, d.wrapped.value())]));
  }
}
