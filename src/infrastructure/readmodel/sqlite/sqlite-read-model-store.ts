import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Position } from '../../../application/ports/event-store.js';
import type { ProjectionGroup } from '../../../application/projections/groups.js';
import { comparePositions } from '../../../application/ports/position.js';
import type {
  ChatMessageView,
  ChatPreviewView,
  ChatRecord,
  NotificationView,
  Page,
  PageRequest,
  PositionedChanges,
  ReadFilter,
  ReadModelStore,
  UserRecord,
} from '../../../application/ports/read-model.js';
import { endBulkLoad, startBulkLoad } from './bulk-load.js';
import { SqliteChangeWriter } from './change-writer.js';
import { prepareQueries, type SqliteQueryStatements } from './queries.js';
import { toMessage, toNotification, toPreview, toUser } from './rows.js';
import { configure, TABLES, tablesToReset, type Synchronous, type Table } from './schema.js';

export interface SqliteReadModelStoreOptions {
  /** Database file, e.g. `${DATA_DIR}/readmodels.db` (its own file, not the event store's). */
  readonly path: string;
  /** Default NORMAL: see schema.ts for why that is safe for read models. */
  readonly synchronous?: Synchronous;
  /** Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /** A rebuild's generation, not served yet: fast, non-durable writes until `close` (bulk-load.ts). */
  readonly bulkLoad?: boolean;
}

const limitOf = (page: PageRequest): [number, number] => [Math.max(0, Math.trunc(page.limit)), Math.max(0, Math.trunc(page.offset))];

/** Read models in one SQLite file: a batch and its checkpoint commit in one transaction. */
export class SqliteReadModelStore implements ReadModelStore {
  private readonly q: SqliteQueryStatements;
  private readonly applyTx: (projection: string, batch: readonly PositionedChanges[]) => void;
  private readonly resetTx: (tables: readonly Table[]) => void;
  /** Items and count of a page read from one snapshot. */
  private readonly snapshot: <T>(read: () => T) => T;

  private constructor(
    private readonly db: Database.Database,
    /** The setting to restore on close after a bulk load; undefined when not bulk loading. */
    private readonly restoreSynchronous: Synchronous | undefined,
  ) {
    this.q = prepareQueries(db);
    const writer = new SqliteChangeWriter(db);
    const saveCheckpoint = db.prepare<[string, string, string]>(
      `INSERT INTO checkpoints (projection, commit_pos, prepare_pos) VALUES (?, ?, ?)
       ON CONFLICT (projection) DO UPDATE SET commit_pos = excluded.commit_pos, prepare_pos = excluded.prepare_pos`,
    );
    this.applyTx = db.transaction((projection: string, batch: readonly PositionedChanges[]) => {
      // Exactly once: events at or before the checkpoint were committed with it already.
      let last = this.readCheckpoint(projection);
      try {
        for (const entry of batch) {
          if (last !== undefined && comparePositions(entry.position, last) <= 0) continue;
          entry.changes.forEach((change, i) => writer.apply(change, entry.position, i));
          last = entry.position;
        }
        writer.flush();
      } finally {
        writer.discard();
      }
      if (last !== undefined) saveCheckpoint.run(projection, last.commit.toString(), last.prepare.toString());
    });
    const deletes = new Map(TABLES.map((t) => [t, db.prepare(`DELETE FROM ${t}`)]));
    // One transaction: a reader never sees some of the groups emptied and the checkpoint kept.
    this.resetTx = db.transaction((tables: readonly Table[]) => tables.forEach((t) => deletes.get(t)?.run()));
    const read = db.transaction((f: () => unknown) => f());
    this.snapshot = <T>(f: () => T): T => read(f) as T;
  }

  static open(options: SqliteReadModelStoreOptions): SqliteReadModelStore {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    const db = new Database(options.path);
    try {
      const synchronous = options.synchronous ?? 'NORMAL';
      configure(db, synchronous, options.busyTimeoutMs ?? 5000);
      if (options.bulkLoad === true) startBulkLoad(db);
      return new SqliteReadModelStore(db, options.bulkLoad === true ? synchronous : undefined);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  async apply(projection: string, batch: readonly PositionedChanges[]): Promise<void> {
    this.applyTx(projection, batch);
  }

  async checkpoint(projection: string): Promise<Position | undefined> {
    return this.readCheckpoint(projection);
  }

  async reset(groups?: readonly ProjectionGroup[]): Promise<void> {
    this.resetTx(tablesToReset(groups));
  }

  /** After a bulk load, first makes the file durable: a rebuild closes before it switches. */
  async close(): Promise<void> {
    if (!this.db.open) return;
    try {
      if (this.restoreSynchronous !== undefined) endBulkLoad(this.db, this.restoreSynchronous);
    } finally {
      this.db.close();
    }
  }

  async userById(userId: string): Promise<UserRecord | undefined> {
    const row = this.q.userById.get(userId);
    return row === undefined ? undefined : toUser(row);
  }

  async userByUsername(username: string): Promise<UserRecord | undefined> {
    const row = this.q.userByUsername.get(username);
    return row === undefined ? undefined : toUser(row);
  }

  async chat(chatId: string): Promise<ChatRecord | undefined> {
    const row = this.q.chat.get(chatId);
    return row === undefined ? undefined : { chatId: row.id, members: [row.member_a, row.member_b] };
  }

  async chatIdsOf(userId: string): Promise<readonly string[]> {
    return this.q.chatIdsOf.all(userId);
  }

  async chatPreviews(viewerId: string, page: PageRequest): Promise<Page<ChatPreviewView>> {
    return this.snapshot(() => ({
      items: this.q.previews.all(viewerId, ...limitOf(page)).map(toPreview),
      count: this.q.previewCount.get(viewerId) ?? 0,
    }));
  }

  async chatPreview(viewerId: string, chatId: string): Promise<ChatPreviewView | undefined> {
    const row = this.q.preview.get(viewerId, chatId);
    return row === undefined ? undefined : toPreview(row);
  }

  async messages(chatId: string, page: PageRequest): Promise<Page<ChatMessageView>> {
    return this.snapshot(() => ({
      items: this.q.messages.all(chatId, ...limitOf(page)).map(toMessage),
      count: this.q.messageCount.get(chatId) ?? 0,
    }));
  }

  async chatOfMessage(messageId: string): Promise<string | undefined> {
    return this.q.chatOfMessage.get(messageId);
  }

  async notifications(userId: string, filter: ReadFilter, page: PageRequest): Promise<Page<NotificationView>> {
    return this.snapshot(() => ({
      items: this.q.notifications[filter].all(userId, ...limitOf(page)).map(toNotification),
      count: this.q.notificationCount[filter].get(userId) ?? 0,
    }));
  }

  async hasNotification(userId: string, notificationId: string): Promise<boolean> {
    return this.q.hasNotification.get(userId, notificationId) !== undefined;
  }

  async blocks(userId: string, page: PageRequest): Promise<Page<UserRecord>> {
    return this.snapshot(() => ({
      items: this.q.blocks.all(userId, ...limitOf(page)).map(toUser),
      count: this.q.blockCount.get(userId) ?? 0,
    }));
  }

  async userIdsAfter(afterUserId: string | undefined, limit: number): Promise<readonly string[]> {
    const n = Math.max(0, Math.trunc(limit));
    return afterUserId === undefined ? this.q.userIds.all(n) : this.q.userIdsAfter.all(afterUserId, n);
  }

  async onlineUserIds(): Promise<readonly string[]> {
    return this.q.onlineUserIds.all();
  }

  private readCheckpoint(projection: string): Position | undefined {
    const row = this.q.checkpoint.get(projection);
    return row === undefined ? undefined : { commit: BigInt(row.commit_pos), prepare: BigInt(row.prepare_pos) };
  }
}
