import { MongoClient, MongoServerError, type Collection, type Db, type Document, type Filter, type WithId } from 'mongodb';
import { COLLECTIONS, INDEXES, type CollectionName, type Docs } from './collections.js';
import type { AnyUpdateWrite, DocumentDb, FindOptions } from './document-db.js';
import type { UpdateWrite } from './documents.js';
import { MongoReadModels } from './mongo-read-models.js';

export interface MongoReadModelStoreOptions {
  readonly url: string;
  readonly database: string;
}

const DUPLICATE_KEY = 11000;

/** Creates the read models' indexes (idempotent); also for a generation copied with `$out`. */
export const ensureIndexes = async (db: Db): Promise<void> => {
  for (const name of COLLECTIONS) {
    const indexes = INDEXES[name];
    if (indexes.length > 0) await db.collection(name).createIndexes([...indexes]);
  }
};

/** DocumentDb on the MongoDB driver: executes what documents.ts builds, nothing more. */
class DriverDocumentDb implements DocumentDb {
  constructor(private readonly db: Db) {}

  private col<C extends CollectionName>(name: C): Collection<Docs[C]> {
    return this.db.collection<Docs[C]>(name);
  }

  find<C extends CollectionName>(name: C, filter: Filter<Docs[C]>, options: FindOptions = {}): Promise<WithId<Docs[C]>[]> {
    return this.col(name).find(filter, options).toArray();
  }

  count<C extends CollectionName>(name: C, filter: Filter<Docs[C]>): Promise<number> {
    return this.col(name).countDocuments(filter);
  }

  aggregate<T extends Document>(name: CollectionName, pipeline: readonly Document[]): Promise<T[]> {
    return this.col(name)
      .aggregate<T>([...pipeline])
      .toArray();
  }

  async update(op: AnyUpdateWrite): Promise<void> {
    switch (op.collection) {
      case 'users':
        return this.run(this.col('users'), op);
      case 'chats':
        return this.run(this.col('chats'), op);
      case 'members':
        return this.run(this.col('members'), op);
      case 'messages':
        return this.run(this.col('messages'), op);
      case 'notifications':
        return this.run(this.col('notifications'), op);
      case 'blocks':
        return this.run(this.col('blocks'), op);
      case 'checkpoints':
        return this.run(this.col('checkpoints'), op);
    }
  }

  private async run<C extends CollectionName>(col: Collection<Docs[C]>, op: UpdateWrite<C>): Promise<void> {
    try {
      if (op.many) await col.updateMany(op.filter, op.update, { upsert: op.upsert });
      else await col.updateOne(op.filter, op.update, { upsert: op.upsert });
    } catch (e) {
      // The guard did not match because the document already reflects this change.
      if (op.upsert && e instanceof MongoServerError && e.code === DUPLICATE_KEY) return;
      throw e;
    }
  }

  async clear(names: readonly CollectionName[]): Promise<void> {
    // Checkpoints first (no transaction here): interrupted, a replay from the start then meets
    // rows it already wrote, which the position guards skip; rows gone under a kept checkpoint
    // would never come back.
    const ordered = [...names.filter((n) => n === 'checkpoints'), ...names.filter((n) => n !== 'checkpoints')];
    for (const name of ordered) await this.col(name).deleteMany({});
  }
}

/** Read models in MongoDB: writes idempotent under redelivery (see apply-batch.ts). */
export class MongoReadModelStore extends MongoReadModels {
  /** Connects; `close()` closes the client. */
  static async connect(options: MongoReadModelStoreOptions): Promise<MongoReadModelStore> {
    const client = await MongoClient.connect(options.url);
    try {
      return await MongoReadModelStore.on(client.db(options.database), () => client.close());
    } catch (e) {
      await client.close();
      throw e;
    }
  }

  /** On a database whose client the caller owns; indexes are created first. */
  static async on(db: Db, onClose?: () => Promise<void>): Promise<MongoReadModelStore> {
    await ensureIndexes(db);
    return new MongoReadModelStore(new DriverDocumentDb(db), onClose);
  }
}
