import type { Database } from 'better-sqlite3';

export type Synchronous = 'FULL' | 'NORMAL';

/**
 * One table is the whole log. `position` is the rowid, so it is assigned in commit order:
 * SQLite admits one writer at a time and we never delete, so a reader can never see position
 * n+1 committed while n is not (which makes "read from the last delivered position" gap-free).
 */
const DDL = `
CREATE TABLE IF NOT EXISTS events (
  position  INTEGER PRIMARY KEY,
  stream_id TEXT    NOT NULL,
  revision  INTEGER NOT NULL,
  event_id  TEXT    NOT NULL UNIQUE,
  type      TEXT    NOT NULL,
  data      TEXT    NOT NULL,
  metadata  TEXT    NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS events_stream_revision ON events (stream_id, revision);
CREATE INDEX IF NOT EXISTS events_type ON events (type);
CREATE TABLE IF NOT EXISTS write_probe (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  at TEXT    NOT NULL
);
`;

export const configure = (db: Database, synchronous: Synchronous, busyTimeoutMs: number): void => {
  // WAL: readers never block the writer, and a commit is one sequential append to the WAL file.
  const mode: unknown = db.pragma('journal_mode = WAL', { simple: true });
  if (typeof mode !== 'string' || mode.toLowerCase() !== 'wal') {
    throw new Error(`SQLite event store: could not enable WAL (journal_mode=${String(mode)})`);
  }
  // Durability: a commit only returns once its WAL frames are written to the OS, so an
  // acknowledged append survives kill -9 of the process in either mode. FULL also fsyncs the
  // WAL on every commit, so it survives an OS crash or power loss; NORMAL only fsyncs at
  // checkpoints and may lose the last commits on power loss. Group commit amortises that fsync.
  db.pragma(`synchronous = ${synchronous}`);
  // Several processes may share the file: wait for the write lock instead of failing at once.
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
  // The event_id index takes random uuids: a larger page cache keeps its inserts in memory.
  db.pragma('cache_size = -32768'); // KiB
  db.exec(DDL);
};
