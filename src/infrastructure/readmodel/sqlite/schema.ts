import type { Database } from 'better-sqlite3';
import type { ProjectionGroup } from '../../../application/read-models/groups.js';

/**
 * Read-model tables. `pos` columns hold the change key (see position-key.ts) of the change that
 * wrote the row: it breaks ties in "newest first" orders the same way on every store.
 *
 * Deliberate choices:
 * - `users.username` is indexed, not UNIQUE: a name freed by a rename and taken by another user
 *   must not wedge the projection; the latest claim (highest `pos`) wins in `userByUsername`.
 * - `messages` has no is_read column: a message is read when its seq is at or below its
 *   recipient's `chat_members.read_through` watermark, so marking read is one row update.
 * - `chat_members.unread_count` is kept incrementally (+1 per message from the peer, recounted
 *   from the watermark when it moves), so previews never count messages.
 * - UNIQUE (chat_id, seq) is also the newest-first paging index (SQLite scans it backwards).
 */
const DDL = `
CREATE TABLE IF NOT EXISTS users (
  id        TEXT PRIMARY KEY,
  username  TEXT NOT NULL,
  nickname  TEXT NOT NULL,
  avatar    TEXT NOT NULL,
  online    INTEGER NOT NULL DEFAULT 0,
  pos       TEXT NOT NULL,
  erased    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS users_username ON users (username, pos DESC);
CREATE INDEX IF NOT EXISTS users_online ON users (id) WHERE online = 1;

CREATE TABLE IF NOT EXISTS chats (
  id            TEXT PRIMARY KEY,
  member_a      TEXT NOT NULL,
  member_b      TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  message_count INTEGER NOT NULL DEFAULT 0,
  last_seq      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS chat_members (
  chat_id       TEXT NOT NULL,
  user_id       TEXT NOT NULL,
  peer_id       TEXT NOT NULL,
  last_activity TEXT NOT NULL,
  activity_pos  TEXT NOT NULL,
  read_through  INTEGER NOT NULL DEFAULT 0,
  unread_count  INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (chat_id, user_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS chat_members_activity ON chat_members (user_id, last_activity DESC, activity_pos DESC);

CREATE TABLE IF NOT EXISTS messages (
  id        TEXT PRIMARY KEY,
  chat_id   TEXT NOT NULL,
  seq       INTEGER NOT NULL,
  sender_id TEXT NOT NULL,
  content   TEXT NOT NULL,
  date      TEXT NOT NULL,
  is_liked  INTEGER NOT NULL DEFAULT 0,
  erased    INTEGER NOT NULL DEFAULT 0,
  UNIQUE (chat_id, seq)
);
CREATE INDEX IF NOT EXISTS messages_sender ON messages (chat_id, sender_id, seq);

CREATE TABLE IF NOT EXISTS notifications (
  user_id    TEXT NOT NULL,
  id         TEXT NOT NULL,
  action     TEXT NOT NULL,
  data       TEXT NOT NULL,
  subject_id TEXT,
  is_read    INTEGER NOT NULL DEFAULT 0,
  date       TEXT NOT NULL,
  pos        TEXT NOT NULL,
  PRIMARY KEY (user_id, id)
);
CREATE INDEX IF NOT EXISTS notifications_newest ON notifications (user_id, date DESC, pos DESC);
CREATE INDEX IF NOT EXISTS notifications_by_read ON notifications (user_id, is_read, date DESC, pos DESC);
CREATE INDEX IF NOT EXISTS notifications_id ON notifications (id);

CREATE TABLE IF NOT EXISTS blocks (
  user_id    TEXT NOT NULL,
  blocked_id TEXT NOT NULL,
  at         TEXT NOT NULL,
  pos        TEXT NOT NULL,
  PRIMARY KEY (user_id, blocked_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS blocks_recent ON blocks (user_id, at DESC, pos DESC);

CREATE TABLE IF NOT EXISTS checkpoints (
  projection TEXT PRIMARY KEY,
  commit_pos TEXT NOT NULL,
  prepare_pos TEXT NOT NULL
);
`;

/** Every table, in an order that deletes cleanly (no foreign keys, but keep it readable). */
export const TABLES = ['notifications', 'blocks', 'messages', 'chat_members', 'chats', 'users', 'checkpoints'] as const;

export type Table = (typeof TABLES)[number];

/**
 * The tables of each read-model group (projections/groups.ts), for resetting some of them. A
 * Record over the groups, so that a new group does not compile until it names its tables.
 */
export const TABLES_OF_GROUP: Readonly<Record<ProjectionGroup, readonly Table[]>> = {
  users: ['users'],
  chats: ['messages', 'chat_members', 'chats'],
  notifications: ['notifications'],
  blocks: ['blocks'],
};

/**
 * What `reset(groups)` deletes: the groups' tables and every checkpoint. One projection feeds
 * every group, so a kept checkpoint would skip the very events the emptied tables need: the
 * store must be re-projected from the start for those groups (rebuild.ts replays only their changes).
 */
export const tablesToReset = (groups: readonly ProjectionGroup[] | undefined): readonly Table[] =>
  groups === undefined ? TABLES : [...new Set([...groups.flatMap((g) => TABLES_OF_GROUP[g]), 'checkpoints' as const])];

/** Columns added since the first schema: a file written before gets them (default 0) when opened. */
const ADDED_COLUMNS: readonly { readonly table: Table; readonly column: string; readonly ddl: string }[] = [
  { table: 'users', column: 'erased', ddl: 'erased INTEGER NOT NULL DEFAULT 0' },
  { table: 'messages', column: 'erased', ddl: 'erased INTEGER NOT NULL DEFAULT 0' },
];

const addMissingColumns = (db: Database): void => {
  for (const { table, column, ddl } of ADDED_COLUMNS) {
    const columns = db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`).all();
    if (columns.some((c) => c.name === column)) continue;
    try {
      db.exec(`ALTER TABLE ${table} ADD COLUMN ${ddl}`);
    } catch (e) {
      // Another connection (the writer thread, another node) added it first.
      if (!(e instanceof Error && /duplicate column/i.test(e.message))) throw e;
    }
  }
};

export type Synchronous = 'FULL' | 'NORMAL';

export const configure = (db: Database, synchronous: Synchronous, busyTimeoutMs: number): void => {
  const mode: unknown = db.pragma('journal_mode = WAL', { simple: true });
  // An in-memory database (path ':memory:', handy in tests) keeps journal_mode=memory.
  if (typeof mode !== 'string' || !['wal', 'memory'].includes(mode.toLowerCase())) {
    throw new Error(`SQLite read models: could not enable WAL (journal_mode=${String(mode)})`);
  }
  // NORMAL is safe here: rows and checkpoint commit together, so a power loss loses both and
  // the projection replays from the older checkpoint. The log, not this file, is the truth.
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
  // The writer's commits walk the indexes keyed by chat id, whose leaves are spread over a file
  // of gigabytes: SQLite's default 2 MiB cache would re-read their inner pages on every commit.
  db.pragma('cache_size = -32768'); // KiB
  // An erased user's rows are overwritten in place: what a write frees is zeroed, not left in the
  // file's free space (the WAL is emptied after such a batch, see read-model-writer-worker.ts).
  if (db.pragma('secure_delete = ON', { simple: true }) !== 1) throw new Error('SQLite read models: could not enable secure_delete');
  db.exec(DDL);
  addMissingColumns(db);
};
