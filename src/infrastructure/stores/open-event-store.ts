import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EventStore } from '../../application/ports/event-store.js';
import { ConfigError, type Config } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import { SqliteEventStore } from '../eventstore/sqlite/sqlite-event-store.js';

export interface OpenEventStoreOptions {
  /** Open an embedded log whose personal data is still in clear (export, migrate); refused otherwise. */
  readonly allowUnsealed?: boolean;
}

export const EVENTS_DB_FILE = 'events.db';

/**
 * EventStoreDB when `EVENTSTORE_URL` is set, else the embedded SQLite log under `DATA_DIR`. An
 * embedded log written before personal data was sealed is refused (ConfigError) until migrated.
 */
export const openEventStore = async (config: Config, logger?: Logger, options: OpenEventStoreOptions = {}): Promise<EventStore> => {
  if (config.eventStoreUrl !== undefined) {
    // Loaded only when used: the gRPC client alone costs a quarter of a second of start-up.
    const { openEsdbEventStore } = await import('../eventstore/esdb/esdb-event-store.js');
    return openEsdbEventStore(config.eventStoreUrl, { timeoutMs: config.eventStoreTimeoutMs, ...(logger === undefined ? {} : { logger }) });
  }
  mkdirSync(config.dataDir, { recursive: true });
  const store = SqliteEventStore.open({
    path: join(config.dataDir, EVENTS_DB_FILE),
    synchronous: config.sqliteSynchronous,
    checkpointIntervalMs: config.sqliteCheckpointMs,
  });
  if (options.allowUnsealed !== true && !store.personalDataSealed) {
    await store.close();
    throw new ConfigError(
      `${join(config.dataDir, EVENTS_DB_FILE)} was written before personal data was encrypted: stop every node and run \`npm run migrate\` once (docs/ERASURE.md)`,
    );
  }
  return store;
};
