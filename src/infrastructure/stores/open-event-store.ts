import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EventStore } from '../../application/ports/event-store.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import { SqliteEventStore } from '../eventstore/sqlite/sqlite-event-store.js';

/** EventStoreDB when `EVENTSTORE_URL` is set, else the embedded SQLite log under `DATA_DIR`. */
export const openEventStore = async (config: Config, logger?: Logger): Promise<EventStore> => {
  if (config.eventStoreUrl !== undefined) {
    // Loaded only when used: the gRPC client alone costs a quarter of a second of start-up.
    const { openEsdbEventStore } = await import('../eventstore/esdb/esdb-event-store.js');
    return openEsdbEventStore(config.eventStoreUrl, { timeoutMs: config.eventStoreTimeoutMs, ...(logger === undefined ? {} : { logger }) });
  }
  mkdirSync(config.dataDir, { recursive: true });
  return SqliteEventStore.open({
    path: join(config.dataDir, 'events.db'),
    synchronous: config.sqliteSynchronous,
    checkpointIntervalMs: config.sqliteCheckpointMs,
  });
};
