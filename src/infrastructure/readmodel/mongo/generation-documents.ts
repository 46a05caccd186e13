import type { Document, Filter, UpdateFilter } from 'mongodb';
import type { CollectionName } from './collections.js';

/**
 * What the MongoDB read-model generations send, as pure values (see mongo-generations.ts).
 * A generation is a database: the base one (named in MONGODB_URL) or `${base}_g<timestamp>`.
 */

/** In the base database, which every node reads whatever generation it serves. */
export const GENERATIONS_COLLECTION = 'readmodel_generations';

export type GenerationPointer = { _id: 'current'; database: string };

export const pointerFilter: Filter<GenerationPointer> = { _id: 'current' };

/** Applied with `upsert`: one document written in one operation, so the switch is atomic. */
export const pointerUpdate = (database: string): UpdateFilter<GenerationPointer> => ({ $set: { database } });

/** No pointer yet: the base database, where the read models always lived. */
export const currentGeneration = (pointer: GenerationPointer | null, base: string): string => pointer?.database ?? base;

export const generationName = (base: string, stamp: number): string => `${base}_g${stamp}`;

/** Guards open/switch/drop: no name from a CLI or the pointer reaches an unrelated database. */
export const isGenerationOf = (base: string, name: string): boolean =>
  name === base || (name.startsWith(`${base}_g`) && /^\d+$/.test(name.slice(base.length + 2)));

/**
 * Collections are copied one after another while live nodes keep writing, so the copy is no
 * snapshot; it is made one that a replay from its checkpoint repairs (every write is guarded
 * by the document's `_pos`, see documents.ts):
 * - checkpoints first: every row copied after it reflects at least the events it covers;
 * - messages before members: replaying MarkMessagesRead counts a chat's messages into a member
 *   whose `_pos` is older, so no message may be in the copy that its members have not counted.
 */
export const COPY_ORDER: readonly CollectionName[] = ['checkpoints', 'users', 'chats', 'messages', 'members', 'notifications', 'blocks'];

/** Copies a collection server-side, into another database (MongoDB 4.4+). */
export const copyPipeline = (targetDatabase: string, collection: CollectionName): readonly Document[] => [
  { $match: {} },
  { $out: { db: targetDatabase, coll: collection } },
];
