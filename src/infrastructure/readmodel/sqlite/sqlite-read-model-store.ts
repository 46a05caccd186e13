import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Position } from '../../../application/ports/event-store.js';
import type { ProjectionGroup } from '../../../application/read-models/groups.js';
import type {
  ChatMessageView,
  ChatPreviewView,
  ChatRecord,
  MessageRecord,
  NotificationView,
  Page,
  PageRequest,
  PositionedChanges,
  ReadFilter,
  ReadModelStore,
  UserRecord,
} from '../../../application/ports/read-model.js';
import { DEFAULT_CHECKPOINT_INTERVAL_MS } from '../../shared/wal-checkpointer.js';
import { WriterThread } from '../../shared/writer-thread.js';
import { startBulkLoad } from './bulk-load.js';
import { prepareQueries, type SqliteQueryStatements } from './queries.js';
import { SqliteReadModelWriter } from './read-model-writer.js';
import { toMessage, toNotification, toPreview, toUser } from './rows.js';
import { configure, type Synchronous } from './schema.js';
import { encodeBatch, type ReadModelWrite, type ReadModelWriterConfig } from './writer-thread-protocol.js';

export interface SqliteReadModelStoreOptions {
  /** Database file, e.g. `${DATA_DIR}/readmodels.db` (its own file, not the event store's). */
  readonly path: string;
  /** Default NORMAL: see schema.ts for why that is safe for read models. */
  readonly synchronous?: Synchronous;
  /** Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /** A rebuild's generation, not served yet: fast, non-durable writes until `close` (bulk-load.ts). */
  readonly bulkLoad?: boolean;
  /** WAL checkpoints on a thread of their own, this often (wal-checkpointer.ts). 0: in the writer's commits. Default 25 ms. */
  readonly checkpointIntervalMs?: number;
}

const limitOf = (page: PageRequest): [number, number] => [Math.max(0, Math.trunc(page.limit)), Math.max(0, Math.trunc(page.offset))];

/** Where writes run: a thread of their own for a file, the same connection for ':memory:'. */
interface Writer {
  apply(projection: string, batch: readonly PositionedChanges[]): Promise<void>;
  reset(groups: readonly ProjectionGroup[] | undefined): Promise<void>;
  close(): Promise<void>;
}

const onThread = (config: ReadModelWriterConfig): Writer => {
  const thread = new WriterThread<ReadModelWrite, void>(new URL('./read-model-writer-worker.js', import.meta.url), config, 'SQLite read-model writer');
  return {
    apply: (projection, batch) => thread.request({ kind: 'apply', projection, batch: encodeBatch(batch) }),
    reset: (groups) => thread.request({ kind: 'reset', groups }),
    close: () => thread.close(),
  };
};

const inline = (writer: SqliteReadModelWriter): Writer => ({
  // In memory: no file, no WAL to scrub.
  apply: async (projection, batch) => void writer.apply(projection, batch),
  reset: async (groups) => writer.reset(groups),
  close: async () => writer.close(),
});

/**
 * Read models in one SQLite file: a batch and its checkpoint commit in one transaction, on a
 * writer thread, while this connection serves the queries.
 */
export class SqliteReadModelStore implements ReadModelStore {
  private readonly q: SqliteQueryStatements;
  /** Items and count of a page read from one snapshot. */
  private readonly snapshot: <T>(read: () => T) => T;

  private constructor(
    private readonly db: Database.Database,
    private readonly writer: Writer,
  ) {
    this.q = prepareQueries(db);
    const read = db.transaction((f: () => unknown) => f());
    this.snapshot = <T>(f: () => T): T => read(f) as T;
  }

  static open(options: SqliteReadModelStoreOptions): SqliteReadModelStore {
    const memory = options.path === ':memory:';
    if (!memory) mkdirSync(dirname(options.path), { recursive: true });
    const db = new Database(options.path);
    try {
      const synchronous = options.synchronous ?? 'NORMAL';
      const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
      const bulkLoad = options.bulkLoad === true;
      // The schema exists before the writer thread opens the file.
      configure(db, synchronous, busyTimeoutMs);
      if (memory) {
        // One connection is the whole database: it must write too.
        if (bulkLoad) startBulkLoad(db);
        return new SqliteReadModelStore(db, inline(new SqliteReadModelWriter(db, bulkLoad ? synchronous : undefined)));
      }
      const checkpointIntervalMs = options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
      return new SqliteReadModelStore(db, onThread({ path: options.path, synchronous, busyTimeoutMs, bulkLoad, checkpointIntervalMs }));
    } catch (e) {
      db.close();
      throw e;
    }
  }

  apply(projection: string, batch: readonly PositionedChanges[]): Promise<void> {
    return this.writer.apply(projection, batch);
  }

  async checkpoint(projection: string): Promise<Position | undefined> {
    return this.q.checkpoint(projection);
  }

  reset(groups?: readonly ProjectionGroup[]): Promise<void> {
    return this.writer.reset(groups);
  }

  /** Closes the writer (after a bulk load, once the file is durable), then this connection. */
  async close(): Promise<void> {
    if (!this.db.open) return;
    try {
      await this.writer.close();
    } finally {
      if (this.db.open) this.db.close();
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

  async message(chatId: string, messageId: string): Promise<ChatMessageView | undefined> {
    const row = this.q.message.get(chatId, messageId);
    return row === undefined ? undefined : toMessage(row);
  }

  async messageRecord(messageId: string): Promise<MessageRecord | undefined> {
    const row = this.q.messageRecord.get(messageId);
    return row === undefined ? undefined : { chatId: row.chat_id, senderId: row.sender_id, seq: row.seq, liked: row.is_liked === 1 };
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

  async unreadNotificationIds(userId: string): Promise<readonly string[]> {
    return this.q.unreadNotificationIds.all(userId);
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
}
