/**
 * The embedded store's writer thread. better-sqlite3 is synchronous, so a commit (with its
 * fsync under synchronous=FULL) would block the event loop that serves sockets; here it blocks
 * only this thread, and appends that arrive meanwhile form the next group.
 */
import { workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { startWalCheckpointer } from '../../shared/wal-checkpointer.js';
import { serveRequests } from '../../shared/writer-thread.js';
import { AppendWriter } from './append-writer.js';
import { configure } from './schema.js';
import { toWire, type WireGroupWrite, type WriterConfig, type WriterRequest } from './writer-protocol.js';

const config = workerData as WriterConfig;
const db = new Database(config.path);
configure(db, config.synchronous, config.busyTimeoutMs);
const writer = new AppendWriter(db);
const checkpointer = startWalCheckpointer(db, config.path, config.checkpointIntervalMs);

serveRequests<WriterRequest, WireGroupWrite>(
  (request) => {
    if (request.kind === 'probe') {
      writer.probe();
      checkpointer.committed();
      return { outcomes: [], inserted: [] };
    }
    const written = toWire(writer.writeGroup(request.requests));
    checkpointer.committed();
    return written;
  },
  () => {
    checkpointer.stop();
    db.close();
  },
);
