import { aggregate, Query, update as modify } from 'mingo';
import type { Document, Filter, WithId } from 'mongodb';
import { COLLECTIONS, INDEXES, type CollectionName, type Docs } from '../../src/infrastructure/readmodel/mongo/collections.js';
import type { AnyUpdateWrite, DocumentDb, FindOptions } from '../../src/infrastructure/readmodel/mongo/document-db.js';

type Doc = Record<string, unknown>;

/** JSON with keys sorted at every level. */
const canonical = (v: unknown): string => {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Doc;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
};

const isOperatorObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).some((k) => k.startsWith('$'));

const sortSpec = (sort: FindOptions['sort']): Record<string, 1 | -1> => {
  if (typeof sort !== 'object' || sort === null || Array.isArray(sort)) throw new Error(`unsupported sort ${String(sort)}`);
  return sort as Record<string, 1 | -1>;
};

/** The fields of a unique index (and _id) identifying a document, for the duplicate-key check. */
const uniqueKeys = (name: CollectionName): string[][] => [['_id'], ...INDEXES[name].filter((i) => i.unique === true).map((i) => Object.keys(i.key))];

/**
 * MongoDB semantics in memory, on mingo: filters, sorts, update operators, aggregation
 * ($group, $merge) as the server evaluates them; upserts seeded from the filter's equality
 * fields; unique indexes enforced, a duplicate upsert ignored as the driver adapter does.
 * `crashAfterWrites` makes the n+1-th write throw, to simulate a crash mid-batch.
 */
export class MemoryDocumentDb implements DocumentDb {
  readonly collections = Object.fromEntries(COLLECTIONS.map((c) => [c, [] as Doc[]])) as Record<CollectionName, Doc[]>;
  writes = 0;
  crashAfterWrites: number | undefined;

  async find<C extends CollectionName>(name: C, filter: Filter<Docs[C]>, options: FindOptions = {}): Promise<WithId<Docs[C]>[]> {
    let cursor = new Query(filter as Doc).find(this.collections[name]);
    if (options.sort !== undefined) cursor = cursor.sort(sortSpec(options.sort));
    if (options.skip !== undefined) cursor = cursor.skip(options.skip);
    if (options.limit !== undefined) cursor = cursor.limit(options.limit);
    return structuredClone(cursor.all()) as unknown as WithId<Docs[C]>[];
  }

  async count<C extends CollectionName>(name: C, filter: Filter<Docs[C]>): Promise<number> {
    return new Query(filter as Doc).find(this.collections[name]).all().length;
  }

  async aggregate<T extends Document>(name: CollectionName, pipeline: readonly Document[]): Promise<T[]> {
    if (pipeline.some((stage) => '$merge' in stage)) this.beforeWrite();
    const out = aggregate(this.collections[name], [...pipeline], { collectionResolver: (n) => this.collections[n as CollectionName] });
    return structuredClone(out) as T[];
  }

  async update(op: AnyUpdateWrite): Promise<void> {
    this.beforeWrite();
    const docs = this.collections[op.collection];
    const query = new Query(op.filter as Doc);
    const matched = docs.filter((d) => query.test(d));
    const { $setOnInsert, ...modifier } = op.update as Doc;
    if (matched.length > 0) {
      for (const d of op.many ? matched : matched.slice(0, 1)) modify(d, modifier);
      return;
    }
    if (!op.upsert) return;
    const seed: Doc = Object.fromEntries(Object.entries(op.filter as Doc).filter(([k, v]) => !k.startsWith('$') && !isOperatorObject(v)));
    Object.assign(seed, structuredClone($setOnInsert ?? {}));
    if (Object.keys(modifier).length > 0) modify(seed, modifier);
    const duplicate = uniqueKeys(op.collection).some(
      (fields) => fields.every((f) => seed[f] !== undefined) && docs.some((d) => fields.every((f) => d[f] === seed[f])),
    );
    if (!duplicate) docs.push(seed);
  }

  async clear(names: readonly CollectionName[]): Promise<void> {
    for (const c of names) this.collections[c].length = 0;
  }

  /** Every collection's documents in a canonical order, for comparing two databases. */
  state(except: readonly CollectionName[] = []): Record<string, string[]> {
    return Object.fromEntries(COLLECTIONS.filter((c) => !except.includes(c)).map((c) => [c, this.collections[c].map(canonical).sort()]));
  }

  private beforeWrite(): void {
    if (this.crashAfterWrites !== undefined && this.writes >= this.crashAfterWrites) throw new Error('simulated crash');
    this.writes += 1;
  }
}
