import type { ReadModelStore } from '../../../application/ports/read-model.js';
import { MongoReadModelStore } from './mongo-read-model-store.js';

export const DEFAULT_DATABASE = 'chat_events';

/** The database named in the connection string's path (`mongodb://host:27017/name?…`), else the default. */
export const databaseOf = (url: string): string => {
  const m = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^/?]+)/.exec(url);
  return m?.[1] === undefined ? DEFAULT_DATABASE : decodeURIComponent(m[1]);
};

/** Opens the MongoDB read models (indexes created on the way); `close()` closes the client. */
export const openMongoReadModels = (url: string): Promise<ReadModelStore> =>
  MongoReadModelStore.connect({ url, database: databaseOf(url) });
