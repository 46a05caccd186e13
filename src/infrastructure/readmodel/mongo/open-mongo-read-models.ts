import { MongoClient } from 'mongodb';
import type { ReadModelGenerations } from '../../../application/ports/read-model-generations.js';
import type { ReadModelStore } from '../../../application/ports/read-model.js';
import { currentMongoGeneration, MongoReadModelGenerations } from './mongo-generations.js';
import { MongoReadModelStore } from './mongo-read-model-store.js';

export const DEFAULT_DATABASE = 'chat_events';

/** The database named in the connection string's path (`mongodb://host:27017/name?…`), else the default. */
export const databaseOf = (url: string): string => {
  const m = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^/?]+)/.exec(url);
  return m?.[1] === undefined ? DEFAULT_DATABASE : decodeURIComponent(m[1]);
};

/**
 * Opens the current generation of the MongoDB read models (the URL's database until a rebuild
 * switches; indexes created on the way); `close()` closes the client.
 */
export const openMongoReadModels = async (url: string): Promise<ReadModelStore> => {
  const client = await MongoClient.connect(url);
  try {
    const generation = await currentMongoGeneration(client, databaseOf(url));
    return await MongoReadModelStore.on(client.db(generation), () => client.close());
  } catch (e) {
    await client.close();
    throw e;
  }
};

/** The generations of the URL's database; `close()` closes the client, stores opened from it do not. */
export const openMongoReadModelGenerations = async (url: string): Promise<ReadModelGenerations> => {
  const client = await MongoClient.connect(url);
  return new MongoReadModelGenerations(client, databaseOf(url), () => client.close());
};
