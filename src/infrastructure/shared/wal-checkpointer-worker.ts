/** The checkpointer thread (see wal-checkpointer.ts): PASSIVE checkpoints until asked to stop. */
import { workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { SLOT, type CheckpointerData } from './wal-checkpointer.js';

const { STOP, STOPPED, COMMITS } = SLOT;

const { path, intervalMs, flags } = workerData as CheckpointerData;
const state = new Int32Array(flags);
const db = new Database(path);
try {
  // Never wait for a lock: a checkpoint another connection holds is one this one can skip.
  db.pragma('busy_timeout = 0');
  // Sleeps in Atomics.wait: until the writer's next commit (an idle file costs nothing), then
  // for the interval, so that checkpoints are at most that frequent; a stop request wakes it.
  let seen = 0;
  for (;;) {
    Atomics.wait(state, COMMITS, seen);
    if (Atomics.load(state, STOP) !== 0 || Atomics.wait(state, STOP, 0, intervalMs) !== 'timed-out') break;
    seen = Atomics.load(state, COMMITS);
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch (e) {
      if (!(e instanceof Database.SqliteError && (e.code === 'SQLITE_BUSY' || e.code === 'SQLITE_LOCKED'))) throw e;
    }
  }
} finally {
  db.close();
  Atomics.store(state, STOPPED, 1);
  Atomics.notify(state, STOPPED);
}
