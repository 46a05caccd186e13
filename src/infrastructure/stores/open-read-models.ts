import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ReadModelStore } from '../../application/ports/read-model.js';
import type { Config } from '../config/config.js';
import { SqliteReadModelStore } from '../readmodel/sqlite/sqlite-read-model-store.js';

/** MongoDB when `MONGODB_URL` is set, else SQLite read models under `DATA_DIR`. */
export const openReadModels = async (config: Config): Promise<ReadModelStore> => {
  if (config.mongoUrl !== undefined) {
    const { openMongoReadModels } = await import('../readmodel/mongo/open-mongo-read-models.js');
    return openMongoReadModels(config.mongoUrl);
  }
  mkdirSync(config.dataDir, { recursive: true });
  return SqliteReadModelStore.open({ path: join(config.dataDir, 'readmodels.db') });
};
