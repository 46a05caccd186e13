/**
 * The read models' writer thread: projections' batches are applied here, so the event loop that
 * serves sockets and REST only reads (WAL readers never wait for this writer).
 */
import { workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { startWalCheckpointer } from '../../shared/wal-checkpointer.js';
import { serveRequests } from '../../shared/writer-thread.js';
import { startBulkLoad } from './bulk-load.js';
import { SqliteReadModelWriter } from './read-model-writer.js';
import { configure } from './schema.js';
import { decodeBatch, type ReadModelWrite, type ReadModelWriterConfig } from './writer-thread-protocol.js';

const config = workerData as ReadModelWriterConfig;
const db = new Database(config.path);
configure(db, config.synchronous, config.busyTimeoutMs);
if (config.bulkLoad) startBulkLoad(db);
const writer = new SqliteReadModelWriter(db, config.bulkLoad ? config.synchronous : undefined);
// A bulk load writes without syncing and checkpoints once, at its end (bulk-load.ts).
const checkpointer = startWalCheckpointer(db, config.path, config.bulkLoad ? 0 : config.checkpointIntervalMs);

serveRequests<ReadModelWrite, void>(
  (w) => {
    if (w.kind === 'apply') writer.apply(w.projection, decodeBatch(w.batch));
    else writer.reset(w.groups);
    checkpointer.committed();
  },
  () => {
    checkpointer.stop();
    writer.close();
  },
);
