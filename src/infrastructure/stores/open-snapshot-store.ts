import { join } from 'node:path';
import type { SnapshotStore } from '../../application/ports/snapshot-store.js';
import type { Config } from '../config/config.js';
import { SqliteSnapshotStore } from '../snapshots/sqlite-snapshot-store.js';

/**
 * Beside the event store: on EventStoreDB when `EVENTSTORE_URL` is set (shared by every node),
 * else `DATA_DIR/snapshots.db`. Undefined when `SNAPSHOT_EVERY` is 0 (every load replays).
 */
export const openSnapshotStore = async (config: Config): Promise<SnapshotStore | undefined> => {
  if (config.snapshotEvery <= 0) return undefined;
  if (config.eventStoreUrl !== undefined) {
    const { EsdbSnapshotStore } = await import('../snapshots/esdb-snapshot-store.js');
    return EsdbSnapshotStore.connect(config.eventStoreUrl, config.eventStoreTimeoutMs);
  }
  return SqliteSnapshotStore.open({ path: join(config.dataDir, 'snapshots.db'), synchronous: 'NORMAL' });
};
