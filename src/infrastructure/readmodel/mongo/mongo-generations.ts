import type { Collection, MongoClient } from 'mongodb';
import type { ReadModelGenerations } from '../../../application/ports/read-model-generations.js';
import type { ReadModelStore } from '../../../application/ports/read-model.js';
import { COLLECTIONS } from './collections.js';
import {
  COPY_ORDER,
  copyPipeline,
  currentGeneration,
  GENERATIONS_COLLECTION,
  generationName,
  isGenerationOf,
  pointerFilter,
  pointerUpdate,
  type GenerationPointer,
} from './generation-documents.js';
import { ensureIndexes, MongoReadModelStore } from './mongo-read-model-store.js';

/** Reads the pointer: also what a node serving the read models opens at start-up. */
export const currentMongoGeneration = async (client: MongoClient, base: string): Promise<string> =>
  currentGeneration(await client.db(base).collection<GenerationPointer>(GENERATIONS_COLLECTION).findOne(pointerFilter), base);

/** Generations as databases of one MongoDB deployment, on a client shared by every store opened. */
export class MongoReadModelGenerations implements ReadModelGenerations {
  private lastStamp = 0;

  /** `onClose` releases the client when this object owns it. */
  constructor(
    private readonly client: MongoClient,
    private readonly base: string,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

  current(): Promise<string> {
    return currentMongoGeneration(this.client, this.base);
  }

  /** The store does not close the client: it is this object's, and other stores share it. */
  open(generation: string): Promise<ReadModelStore> {
    return MongoReadModelStore.on(this.client.db(this.check(generation)));
  }

  async create(copyFrom?: string): Promise<string> {
    // Two creates in one millisecond (tests, scripts) still get two databases.
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    const target = generationName(this.base, this.lastStamp);
    if (copyFrom !== undefined) {
      const source = this.client.db(this.check(copyFrom));
      for (const name of COPY_ORDER)
        await source
          .collection(name)
          .aggregate([...copyPipeline(target, name)])
          .toArray();
    }
    // Also makes an empty generation exist, which switchTo checks.
    await ensureIndexes(this.client.db(target));
    return target;
  }

  async switchTo(generation: string): Promise<void> {
    this.check(generation);
    if (generation !== this.base) {
      const collections = await this.client.db(generation).listCollections({}, { nameOnly: true }).toArray();
      if (collections.length === 0) throw new Error(`MongoDB read models: no generation ${generation} to switch to`);
    }
    await this.pointers().updateOne(pointerFilter, pointerUpdate(generation), { upsert: true });
  }

  async drop(generation: string): Promise<void> {
    this.check(generation);
    if (generation === (await this.current())) throw new Error(`MongoDB read models: refusing to drop ${generation}, the current generation`);
    if (generation !== this.base) {
      await this.client.db(generation).dropDatabase();
      return;
    }
    // The base database also holds the pointer (and the scheduler's jobs and leases): only its
    // read-model collections go.
    for (const name of COLLECTIONS) await this.client.db(generation).collection(name).drop();
  }

  close(): Promise<void> {
    return this.onClose();
  }

  private pointers(): Collection<GenerationPointer> {
    return this.client.db(this.base).collection<GenerationPointer>(GENERATIONS_COLLECTION);
  }

  private check(generation: string): string {
    if (!isGenerationOf(this.base, generation)) throw new Error(`MongoDB read models: ${generation} is not a generation of ${this.base}`);
    return generation;
  }
}
