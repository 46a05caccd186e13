import { Query } from 'mingo';
import { Binary, MongoServerError, type Db } from 'mongodb';

type Doc = Record<string, unknown>;

/**
 * The few driver calls MongoLedgerStore makes, in memory on mingo: filters, sort, limit, unique
 * indexes (duplicate key errors with code 11000), upserts, and binaries read back as `Binary` as
 * the driver returns them. Not MongoDB: it lets the contract exercise the adapter's logic (the
 * commit marker, leftovers of failed appends, guards) where no server is at hand.
 */
class FakeCollection {
  readonly docs: Doc[] = [];
  private readonly unique: string[][] = [['_id']];

  private duplicate(doc: Doc, except?: Doc): boolean {
    return this.unique.some((keys) => this.docs.some((d) => d !== except && keys.every((k) => d[k] !== undefined && String(d[k]) === String(doc[k]))));
  }

  private static stored(doc: Doc): Doc {
    return Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, Buffer.isBuffer(v) ? new Binary(Buffer.from(v)) : v]));
  }

  private static fail(): never {
    throw new MongoServerError({ message: 'E11000 duplicate key error', code: 11000 });
  }

  async createIndex(spec: Doc, options: { unique?: boolean }): Promise<string> {
    if (options.unique === true) this.unique.push(Object.keys(spec));
    return Object.keys(spec).join('_');
  }

  private matching(filter: Doc): Doc[] {
    return new Query(filter).find(this.docs).all() as Doc[];
  }

  async findOne(filter: Doc): Promise<Doc | null> {
    return this.matching(filter)[0] ?? null;
  }

  find(filter: Doc = {}): { sort: (s: Record<string, 1 | -1>) => unknown; limit: (n: number) => unknown; toArray: () => Promise<Doc[]> } {
    let cursor = new Query(filter).find(this.docs);
    const chain = {
      sort: (s: Record<string, 1 | -1>) => ((cursor = cursor.sort(s)), chain),
      limit: (n: number) => ((cursor = cursor.limit(n)), chain),
      toArray: async () => cursor.all() as Doc[],
    };
    return chain;
  }

  async insertOne(doc: Doc): Promise<void> {
    if (this.duplicate(doc)) FakeCollection.fail();
    this.docs.push(FakeCollection.stored(doc));
  }

  /** Unordered: every document that can go in does, then the first duplicate is reported. */
  async insertMany(docs: Doc[]): Promise<void> {
    let failed = false;
    for (const doc of docs) {
      if (this.duplicate(doc)) failed = true;
      else this.docs.push(FakeCollection.stored(doc));
    }
    if (failed) FakeCollection.fail();
  }

  async deleteMany(filter: Doc): Promise<void> {
    const gone = new Set(this.matching(filter));
    const kept = this.docs.filter((d) => !gone.has(d));
    this.docs.splice(0, this.docs.length, ...kept);
  }

  async bulkWrite(ops: { replaceOne: { filter: Doc; replacement: Doc; upsert: boolean } }[]): Promise<void> {
    for (const { replaceOne } of ops) {
      const found = this.matching(replaceOne.filter)[0];
      const doc = FakeCollection.stored({ ...replaceOne.replacement, _id: replaceOne.filter['_id'] });
      if (found !== undefined) this.docs.splice(this.docs.indexOf(found), 1, doc);
      else if (replaceOne.upsert) this.docs.push(doc);
    }
  }

  async updateOne(filter: Doc, update: { $set: Doc }, options: { upsert?: boolean }): Promise<{ matchedCount: number; upsertedCount: number }> {
    const found = this.matching(filter)[0];
    if (found !== undefined) {
      Object.assign(found, update.$set);
      return { matchedCount: 1, upsertedCount: 0 };
    }
    if (options.upsert !== true) return { matchedCount: 0, upsertedCount: 0 };
    const doc = { ...filter, ...update.$set };
    if (this.duplicate(doc)) FakeCollection.fail();
    this.docs.push(doc);
    return { matchedCount: 0, upsertedCount: 1 };
  }
}

export class FakeMongoDb {
  private readonly collections = new Map<string, FakeCollection>();

  collection(name: string): FakeCollection {
    const existing = this.collections.get(name);
    if (existing !== undefined) return existing;
    const created = new FakeCollection();
    this.collections.set(name, created);
    return created;
  }

  /** Typed as the driver's Db for the adapter; only the calls above exist. */
  asDb(): Db {
    return this as unknown as Db;
  }
}
