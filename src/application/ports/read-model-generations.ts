import type { ReadModelStore } from './read-model.js';

export interface OpenGenerationOptions {
  /**
   * The caller fills a generation nobody serves yet (a rebuild): the store may trade
   * durability for speed until `close`, which must leave it durable. Stores may ignore it.
   */
  readonly bulkLoad?: boolean;
}

/**
 * Read models live in generations (a SQLite file, a MongoDB database). A rebuild fills a new
 * generation beside the one being served and then makes it current; every node watches the
 * pointer and switches, so a rebuild needs no downtime and loses no live event.
 */
export interface ReadModelGenerations {
  /** The generation to serve now. */
  current(): Promise<string>;
  open(generation: string, options?: OpenGenerationOptions): Promise<ReadModelStore>;
  /** A new generation, empty, or a consistent copy of `copyFrom` (rows and checkpoint). */
  create(copyFrom?: string): Promise<string>;
  /** Makes `generation` current, atomically, for every node sharing the store. */
  switchTo(generation: string): Promise<void>;
  drop(generation: string): Promise<void>;
  close(): Promise<void>;
}
