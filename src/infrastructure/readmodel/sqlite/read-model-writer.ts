import type Database from 'better-sqlite3';
import type { PositionedChanges } from '../../../application/ports/read-model.js';
import type { ProjectionGroup } from '../../../application/read-models/groups.js';
import { comparePositions } from '../../../application/ports/position.js';
import { endBulkLoad } from './bulk-load.js';
import { SqliteChangeWriter } from './change-writer.js';
import { prepareCheckpoint } from './queries.js';
import { TABLES, tablesToReset, type Synchronous, type Table } from './schema.js';

/** The write half of the SQLite read models: batches with their checkpoint, resets, the end of a bulk load. */
export class SqliteReadModelWriter {
  private readonly applyTx: Database.Transaction<(projection: string, batch: readonly PositionedChanges[]) => boolean>;
  private readonly resetTx: Database.Transaction<(tables: readonly Table[]) => void>;

  constructor(
    private readonly db: Database.Database,
    /** The setting to restore on close after a bulk load; undefined when not bulk loading. */
    private readonly restoreSynchronous: Synchronous | undefined,
  ) {
    const writer = new SqliteChangeWriter(db);
    const checkpoint = prepareCheckpoint(db);
    const saveCheckpoint = db.prepare<[string, string, string]>(
      `INSERT INTO checkpoints (projection, commit_pos, prepare_pos) VALUES (?, ?, ?)
       ON CONFLICT (projection) DO UPDATE SET commit_pos = excluded.commit_pos, prepare_pos = excluded.prepare_pos`,
    );
    this.applyTx = db.transaction((projection: string, batch: readonly PositionedChanges[]) => {
      // Exactly once: events at or before the checkpoint were committed with it already.
      let last = checkpoint(projection);
      let erased = false;
      try {
        for (const entry of batch) {
          if (last !== undefined && comparePositions(entry.position, last) <= 0) continue;
          entry.changes.forEach((change, i) => {
            writer.apply(change, entry.position, i);
            if (change.kind === 'EraseUser' || change.kind === 'EraseMessagesOf') erased = true;
          });
          last = entry.position;
        }
        writer.flush();
      } finally {
        writer.discard();
      }
      if (last !== undefined) saveCheckpoint.run(projection, last.commit.toString(), last.prepare.toString());
      return erased;
    });
    const deletes = new Map(TABLES.map((t) => [t, db.prepare(`DELETE FROM ${t}`)]));
    // One transaction: a reader never sees some of the groups emptied and the checkpoint kept.
    this.resetTx = db.transaction((tables: readonly Table[]) => tables.forEach((t) => deletes.get(t)?.run()));
  }

  // IMMEDIATE: a deferred transaction reads the checkpoint first, and a read that then wants to
  // write while another node's writer holds the lock gets "database is locked" at once, without
  // the busy timeout (SQLite will not wait there, lest two upgrading readers deadlock).
  /** True when the batch overwrote an erased user's rows: the WAL still holds their earlier versions (`scrubWal`). */
  apply(projection: string, batch: readonly PositionedChanges[]): boolean {
    return this.applyTx.immediate(projection, batch);
  }

  /**
   * Copies the WAL into the file and empties it (TRUNCATE): the frames holding an erased user's
   * rows as they were go with it. False when a reader or another checkpoint kept it from finishing.
   */
  scrubWal(): boolean {
    try {
      return this.db.pragma('wal_checkpoint(TRUNCATE)', { simple: true }) === 0;
    } catch (e) {
      if (e instanceof Error && 'code' in e && e.code === 'SQLITE_BUSY') return false;
      throw e;
    }
  }

  reset(groups: readonly ProjectionGroup[] | undefined): void {
    this.resetTx.immediate(tablesToReset(groups));
  }

  /** After a bulk load, makes the file durable first: a rebuild closes before it switches. */
  close(): void {
    if (!this.db.open) return;
    try {
      if (this.restoreSynchronous !== undefined) endBulkLoad(this.db, this.restoreSynchronous);
    } finally {
      this.db.close();
    }
  }
}
