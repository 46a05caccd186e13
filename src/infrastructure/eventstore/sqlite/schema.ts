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
CREATE TABLE IF NOT EXISTS log_format (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

/**
 * `personal_data = sealed`: every event's personal data is stored encrypted. A log created empty
 * is so from its first event; one written before erasure existed becomes so once
 * `npm run migrate` sealed it in place (migrate-personal-data.ts).
 */
export const PERSONAL_DATA_SEALED = { name: 'personal_data', value: 'sealed' } as const;

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
  db.prepare(`INSERT OR IGNORE INTO log_format (name, value) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM events)`).run(
    PERSONAL_DATA_SEALED.name,
    PERSONAL_DATA_SEALED.value,
  );
};

/** Records that the log's personal data is all sealed (the migration's last step). */
export const markPersonalDataSealed = (db: Database): void => {
  db.prepare('INSERT INTO log_format (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value').run(
    PERSONAL_DATA_SEALED.name,
    PERSONAL_DATA_SEALED.value,
  );
};

/** Whether the log's personal data is all sealed (see PERSONAL_DATA_SEALED). */
export const personalDataSealed = (db: Database): boolean =>
  db.prepare<[string], string>('SELECT value FROM log_format WHERE name = ?').pluck().get(PERSONAL_DATA_SEALED.name) === PERSONAL_DATA_SEALED.value;
