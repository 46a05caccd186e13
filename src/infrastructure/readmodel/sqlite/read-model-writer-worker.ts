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

/** Waits without a busy loop (a worker may block). */
const sleep = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Set by a batch that erased a user until the WAL was emptied: tried after that batch (up to ~2 s) and after every later one. */
let scrubPending = false;
const scrub = (): void => {
  for (let attempt = 0; scrubPending && attempt < 40; attempt++) {
    if (writer.scrubWal()) scrubPending = false;
    else sleep(50);
  }
};

serveRequests<ReadModelWrite, void>(
  (w) => {
    if (w.kind === 'apply') scrubPending = writer.apply(w.projection, decodeBatch(w.batch)) || scrubPending;
    else writer.reset(w.groups);
    checkpointer.committed();
    scrub();
  },
  () => {
    checkpointer.stop();
    writer.close();
  },
);
