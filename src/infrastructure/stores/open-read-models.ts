import type { ReadModelGenerations } from '../../application/ports/read-model-generations.js';
import type { ReadModelStore } from '../../application/ports/read-model.js';
import type { Config } from '../config/config.js';
import { SqliteReadModelGenerations } from '../readmodel/sqlite/sqlite-generations.js';

/**
 * The current generation of the read models: MongoDB when `MONGODB_URL` is set, else SQLite
 * under `DATA_DIR`. Following the pointer, a node started after a rebuild serves the rebuilt
 * generation, not the one the rebuild replaced (and may have dropped).
 */
export const openReadModels = async (config: Config): Promise<ReadModelStore> => {
  if (config.mongoUrl !== undefined) {
    const { openMongoReadModels } = await import('../readmodel/mongo/open-mongo-read-models.js');
    return openMongoReadModels(config.mongoUrl);
  }
  const generations = SqliteReadModelGenerations.open({ dataDir: config.dataDir, checkpointIntervalMs: config.sqliteCheckpointMs });
  return generations.open(await generations.current());
};

/** Same choice of store as `openReadModels`. */
export const openReadModelGenerations = async (config: Config): Promise<ReadModelGenerations> => {
  if (config.mongoUrl !== undefined) {
    const { openMongoReadModelGenerations } = await import('../readmodel/mongo/open-mongo-read-models.js');
    return openMongoReadModelGenerations(config.mongoUrl);
  }
  return SqliteReadModelGenerations.open({ dataDir: config.dataDir, checkpointIntervalMs: config.sqliteCheckpointMs });
};
