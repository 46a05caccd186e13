/**
 * The read models' writer thread: projections' batches are applied here, so the event loop that
 * serves sockets and REST only reads (WAL readers never wait for this writer).
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { startBulkLoad } from './bulk-load.js';
import { SqliteReadModelWriter } from './read-model-writer.js';
import { configure } from './schema.js';
import { decodeBatch, type ReadModelWriterConfig, type ReadModelWriterReply, type ReadModelWriterRequest } from './writer-thread-protocol.js';

const config = workerData as ReadModelWriterConfig;
const port = parentPort;
if (port === null) throw new Error('read-model-writer-worker must run as a worker thread');

const db = new Database(config.path);
configure(db, config.synchronous, config.busyTimeoutMs);
if (config.bulkLoad) startBulkLoad(db);
const writer = new SqliteReadModelWriter(db, config.bulkLoad ? config.synchronous : undefined);

port.on('message', (message: ReadModelWriterRequest) => {
  let reply: ReadModelWriterReply;
  try {
    if (message.kind === 'apply') writer.apply(message.projection, decodeBatch(message.batch));
    else if (message.kind === 'reset') writer.reset(message.groups);
    else writer.close();
    reply = { seq: message.seq, ok: true };
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    reply = { seq: message.seq, ok: false, error: { name: error.name, message: error.message } };
  }
  port.postMessage(reply);
  if (message.kind === 'close') port.close();
});
