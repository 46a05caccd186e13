import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Snapshot, SnapshotStore } from '../../application/ports/snapshot-store.js';
import { decodeSnapshot, parseJson } from './snapshot-envelope.js';

export interface SqliteSnapshotStoreOptions {
  /** Database file (DATA_DIR/snapshots.db); several processes may open it. Deleting it only costs slower first loads. */
  readonly path: string;
  readonly synchronous?: 'FULL' | 'NORMAL';
  readonly busyTimeoutMs?: number;
}

const DDL = `
CREATE TABLE IF NOT EXISTS snapshots (
  stream_id TEXT PRIMARY KEY,
  version   INTEGER NOT NULL,
  revision  INTEGER NOT NULL,
  event_id  TEXT NOT NULL,
  state     TEXT NOT NULL
) WITHOUT ROWID;
`;

interface Row {
  readonly stream_id: string;
  readonly version: number;
  readonly revision: number;
  readonly event_id: string;
  readonly state: string;
}

/** Snapshots in their own SQLite file beside the embedded log: one row per stream, replaced on each save. */
export class SqliteSnapshotStore implements SnapshotStore {
  private readonly loadStmt: Database.Statement<[string], Row>;
  private readonly saveStmt: Database.Statement<[Row]>;
  private readonly deleteStmt: Database.Statement<[string]>;

  private constructor(private readonly db: Database.Database) {
    this.loadStmt = db.prepare('SELECT stream_id, version, revision, event_id, state FROM snapshots WHERE stream_id = ?');
    this.saveStmt = db.prepare(
      'INSERT OR REPLACE INTO snapshots (stream_id, version, revision, event_id, state) VALUES (@stream_id, @version, @revision, @event_id, @state)',
    );
    this.deleteStmt = db.prepare('DELETE FROM snapshots WHERE stream_id = ?');
  }

  static open(options: SqliteSnapshotStoreOptions): SqliteSnapshotStore {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    const db = new Database(options.path);
    try {
      const mode: unknown = db.pragma('journal_mode = WAL', { simple: true });
      if (typeof mode !== 'string' || !['wal', 'memory'].includes(mode.toLowerCase()))
        throw new Error(`SQLite snapshots: could not enable WAL (journal_mode=${String(mode)})`);
      // Derived data: NORMAL loses at most the last snapshots on power loss, which the log rebuilds.
      db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
      db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
      db.exec(DDL);
      return new SqliteSnapshotStore(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  async load(streamId: string): Promise<Snapshot | undefined> {
    const row = this.loadStmt.get(streamId);
    if (row === undefined) return undefined;
    return decodeSnapshot({ streamId: row.stream_id, version: row.version, revision: row.revision, eventId: row.event_id, state: parseJson(row.state) });
  }

  async save(snapshot: Snapshot): Promise<void> {
    this.saveStmt.run({
      stream_id: snapshot.streamId,
      version: snapshot.version,
      revision: snapshot.revision,
      event_id: snapshot.eventId,
      state: JSON.stringify(snapshot.state),
    });
  }

  async delete(streamId: string): Promise<void> {
    this.deleteStmt.run(streamId);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
