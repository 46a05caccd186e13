import type { Database } from 'better-sqlite3';
import type { Synchronous } from './schema.js';

/**
 * Settings for a generation being filled by a rebuild, which nothing serves until the pointer
 * moves: a crash mid-rebuild only means the rebuild is run again, so commits need not reach
 * the disk (synchronous=OFF), and a large page cache keeps the growing indexes in memory.
 * They are connection settings: nothing of them stays in the file.
 */
export const startBulkLoad = (db: Database): void => {
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144'); // KiB: 256 MiB
  db.pragma('temp_store = MEMORY');
};

/**
 * Makes everything written so far durable before the generation can be served: with the
 * normal setting back, the checkpoint syncs the WAL, copies it into the file and syncs that.
 */
export const endBulkLoad = (db: Database, synchronous: Synchronous): void => {
  db.pragma(`synchronous = ${synchronous}`);
  const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
  if (result !== undefined && result.busy !== 0) throw new Error('SQLite read models: could not checkpoint the rebuilt generation (busy)');
};
