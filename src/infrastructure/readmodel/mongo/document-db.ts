import type { Document, Filter, Sort, WithId } from 'mongodb';
import type { CollectionName, Docs } from './collections.js';
import type { UpdateWrite } from './documents.js';

export interface FindOptions {
  readonly sort?: Sort;
  readonly skip?: number;
  /** Undefined: no limit. (Never 0, which MongoDB reads as "no limit".) */
  readonly limit?: number;
}

export type AnyUpdateWrite = { [C in CollectionName]: UpdateWrite<C> }[CollectionName];

/**
 * The little the read models need from a document database. The MongoDB driver provides it
 * (mongo-read-model-store.ts); tests provide it in memory with mingo, so that the read-model
 * logic and the documents it sends are checked without a server.
 */
export interface DocumentDb {
  find<C extends CollectionName>(name: C, filter: Filter<Docs[C]>, options?: FindOptions): Promise<WithId<Docs[C]>[]>;
  count<C extends CollectionName>(name: C, filter: Filter<Docs[C]>): Promise<number>;
  aggregate<T extends Document>(name: CollectionName, pipeline: readonly Document[]): Promise<T[]>;
  /** Must take a duplicate-key error of an upsert as "already applied" (see documents.ts). */
  update(op: AnyUpdateWrite): Promise<void>;
  /** Deletes every document of these collections, keeping the indexes. */
  clear(names: readonly CollectionName[]): Promise<void>;
}
