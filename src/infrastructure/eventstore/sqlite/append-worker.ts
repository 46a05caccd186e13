/**
 * The embedded store's writer thread. better-sqlite3 is synchronous, so a commit (with its
 * fsync under synchronous=FULL) would block the event loop that serves sockets; here it blocks
 * only this thread, and appends that arrive meanwhile form the next group.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { AppendWriter } from './append-writer.js';
import { configure } from './schema.js';
import { toWire, type WriterConfig, type WriterRequest, type WriterReply } from './writer-protocol.js';

const config = workerData as WriterConfig;
const port = parentPort;
if (port === null) throw new Error('append-worker must run as a worker thread');

const db = new Database(config.path);
configure(db, config.synchronous, config.busyTimeoutMs);
const writer = new AppendWriter(db);

port.on('message', (message: WriterRequest) => {
  if (message.kind === 'close') {
    db.close();
    port.close();
    return;
  }
  let reply: WriterReply;
  try {
    reply = { seq: message.seq, ok: true, write: toWire(writer.writeGroup(message.requests)) };
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    reply = { seq: message.seq, ok: false, error: { name: error.name, message: error.message } };
  }
  port.postMessage(reply);
});
