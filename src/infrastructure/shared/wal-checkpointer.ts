import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/**
 * WAL checkpoints on a thread of their own, for a writer thread's file.
 *
 * SQLite's own checkpoint runs inside the commit that crosses `wal_autocheckpoint`: that commit,
 * and every append queued behind it, waits while the checkpoint copies its pages into the
 * database file and fsyncs it. On a file of gigabytes those pages are scattered (each chat's
 * index leaves live somewhere else), so the wait grew with the history: 15-40 ms against 5 ms
 * on a fresh file. Here a second connection checkpoints PASSIVE every `intervalMs`, never
 * blocking the writer, and a short interval keeps each checkpoint small, so the writer's own
 * fsyncs never queue behind a large burst of scattered writes.
 */

export const DEFAULT_CHECKPOINT_INTERVAL_MS = 25;

/** Slots of the shared flags: the writer asks the checkpointer to stop, the checkpointer says it has, the writer's commits. */
export const SLOT = { STOP: 0, STOPPED: 1, COMMITS: 2 } as const;
const { STOP, STOPPED, COMMITS } = SLOT;

/** The writer's own checkpoint stays as a backstop, far above what the thread lets the WAL reach. */
const BACKSTOP_PAGES = 10_000;

export interface CheckpointerData {
  readonly path: string;
  readonly intervalMs: number;
  readonly flags: SharedArrayBuffer;
}

export interface WalCheckpointer {
  /** Called by the writer after each commit: an idle file's thread sleeps until the next one. */
  committed(): void;
  /** Stops the thread and waits (up to 5 s) until its connection is closed; synchronous. */
  stop(): void;
}

/**
 * Called in a writer thread on its open connection `db`; `intervalMs` 0 leaves checkpoints to
 * SQLite (in the writer's commits, every 1,000 pages).
 */
export const startWalCheckpointer = (db: Database.Database, path: string, intervalMs: number): WalCheckpointer => {
  if (intervalMs <= 0) return { committed: () => {}, stop: () => {} };
  const flags = new SharedArrayBuffer(Object.keys(SLOT).length * Int32Array.BYTES_PER_ELEMENT);
  const data: CheckpointerData = { path, intervalMs, flags };
  const worker = new Worker(new URL('./wal-checkpointer-worker.js', import.meta.url), { workerData: data });
  worker.unref();
  const state = new Int32Array(flags);
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  // A thread that fails leaves the backstop checkpointing: bigger stalls, never an unbounded WAL.
  worker.on('error', () => Atomics.store(state, STOPPED, 1));
  const wake = (): void => {
    Atomics.add(state, COMMITS, 1);
    Atomics.notify(state, COMMITS);
  };
  return {
    committed: wake,
    stop: () => {
      Atomics.store(state, STOP, 1);
      Atomics.notify(state, STOP);
      wake();
      // Its connection closed first, the writer's close can checkpoint the rest and drop the WAL.
      Atomics.wait(state, STOPPED, 0, 5000);
    },
  };
};
