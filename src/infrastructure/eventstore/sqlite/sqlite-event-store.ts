import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StoredEventText,
  SubscribeOptions,
  Subscription,
} from '../../../application/ports/event-store.js';
import { positionOf } from '../../../application/ports/position.js';
import { dropPageCache } from '../../shared/page-cache.js';
import { DEFAULT_CHECKPOINT_INTERVAL_MS } from '../../shared/wal-checkpointer.js';
import { WriterThread } from '../../shared/writer-thread.js';
import { assertValidExpected } from './expected-revision.js';
import { compileFilter, type CompiledFilter } from './filter.js';
import { GroupCommitter, type GroupCommitStats } from './group-commit.js';
import { LongScans } from './long-scans.js';
import { EVENT_COLUMNS, toRecordedEvent, toStoredText, type EventRow, type EventTuple } from './rows.js';
import { configure, personalDataSealed, type Synchronous } from './schema.js';
import { StreamHeads } from '../shared/stream-heads.js';
import { SqliteSubscription, type LogSource } from './subscription.js';
import { fromWire, type WireGroupWrite, type WriterConfig, type WriterRequest } from './writer-protocol.js';

export interface SqliteEventStoreOptions {
  /** Database file; several processes may open the same file. */
  readonly path: string;
  /** FULL (default) also survives power loss; NORMAL survives a process crash only. See schema.ts. */
  readonly synchronous?: Synchronous;
  /** How often subscriptions look for events appended by other processes. Default 250 ms. */
  readonly pollIntervalMs?: number;
  /** Wait for another process's write lock before failing. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /** Appends written per transaction at most. Default 1000. */
  readonly maxGroupSize?: number;
  /** Events read per catch-up page. Default 500. */
  readonly pageSize?: number;
  /** WAL checkpoints on a thread of their own, this often (wal-checkpointer.ts). 0: in the writer's commits. Default 25 ms. */
  readonly checkpointIntervalMs?: number;
  /** After reads in order over this many positions, the file is dropped from the page cache (long-scans.ts). 0: never. Default 100,000. */
  readonly longScanPositions?: number;
  /** How the file is dropped from the page cache; default page-cache.ts. */
  readonly dropPageCache?: () => Promise<unknown>;
}

type Bindable = string | number;

const limitOf = (maxCount: number | undefined): number => (maxCount === undefined ? -1 : Math.max(0, Math.trunc(maxCount))); // LIMIT -1: no limit

const seqOf = (p: Position | undefined): number => (p === undefined ? 0 : Number(p.commit));

/** Less free space than this where the log lives counts as a full disk: a commit grows the WAL and a checkpoint the file. */
const MIN_FREE_BYTES = 1024 * 1024;

/** The embedded event store: one SQLite file, WAL, group commit, in-process live fan-out. */
export class SqliteEventStore implements EventStore, LogSource {
  private readonly writer: WriterThread<WriterRequest, WireGroupWrite>;
  private readonly committer: GroupCommitter;
  /** Statements by LIMIT, as a literal: a bound `LIMIT ?` made SQLite re-prepare the statement on every call. */
  private readonly readStreamStmts = new Map<number, Database.Statement<[string, number], EventRow>>();
  private readonly streamsSinceStmt: Database.Statement<[number, number], { stream_id: string; revision: number }>;
  private readonly streamHeads = new StreamHeads();
  private readonly headStmt: Database.Statement<[], number | null>;
  private readonly lastRevisionStmt: Database.Statement<[string], number | null>;
  private readonly readAllStmts = new Map<string, Database.Statement<Bindable[], EventRow | EventTuple>>();
  private readonly readPageTx: (
    after: number,
    filter: CompiledFilter,
    limit: number,
  ) => {
    events: RecordedEvent[];
    scannedTo: number;
  };
  private readonly subscriptions = new Set<SqliteSubscription>();
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;
  private readonly longScans: LongScans;
  private poller: NodeJS.Timeout | undefined;
  private head: number;
  private readonly path: string;
  /** Position up to which the poller has learnt stream heads. */
  private polledTo: number;
  private closed = false;

  private constructor(
    private readonly db: Database.Database,
    options: SqliteEventStoreOptions,
  ) {
    this.path = options.path;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.pageSize = options.pageSize ?? 500;
    this.longScans = new LongScans(options.longScanPositions ?? 100_000, options.dropPageCache ?? (() => dropPageCache(options.path)));
    // The main connection only reads; a writer thread owns every write (see append-worker.ts).
    const config: WriterConfig = {
      path: options.path,
      synchronous: options.synchronous ?? 'FULL',
      busyTimeoutMs: options.busyTimeoutMs ?? 5000,
      checkpointIntervalMs: options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS,
    };
    this.writer = new WriterThread(new URL('./append-worker.js', import.meta.url), config, 'SQLite event-store writer');
    this.committer = new GroupCommitter(
      async (requests) => fromWire(await this.writer.request({ kind: 'append', requests })),
      (rows) => this.committed(rows),
      options.maxGroupSize ?? 1000,
    );
    this.streamsSinceStmt = db.prepare<[number, number], { stream_id: string; revision: number }>(
      'SELECT stream_id, MAX(revision) AS revision FROM events WHERE position > ? AND position <= ? GROUP BY stream_id',
    );
    this.headStmt = db.prepare<[], number | null>('SELECT MAX(position) FROM events').pluck();
    this.lastRevisionStmt = db.prepare<[string], number | null>('SELECT MAX(revision) FROM events WHERE stream_id = ?').pluck();
    // A read transaction: the head and the page come from the same WAL snapshot.
    this.readPageTx = db.transaction((after: number, filter: CompiledFilter, limit: number) => {
      const head = this.headStmt.get() ?? 0;
      const rows = this.readAllStatement(filter, true, limit).all(after, head, ...filter.params);
      const last = rows[rows.length - 1];
      const scannedTo = rows.length < limit || last === undefined ? Math.max(after, head) : last.position;
      this.readInOrder(filter, after, scannedTo, scannedTo >= head);
      return { events: rows.map(toRecordedEvent), scannedTo };
    });
    this.head = this.headStmt.get() ?? 0;
    this.polledTo = this.head;
  }

  static open(options: SqliteEventStoreOptions): SqliteEventStore {
    const db = new Database(options.path);
    try {
      configure(db, options.synchronous ?? 'FULL', options.busyTimeoutMs ?? 5000);
      return new SqliteEventStore(db, options);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /**
   * False for a log written before personal data was sealed and not migrated since: its events
   * do not decode until `npm run migrate` seals them.
   */
  get personalDataSealed(): boolean {
    return personalDataSealed(this.db);
  }

  /** Group-commit counters (for tests and benchmarks). */
  get stats(): GroupCommitStats {
    return this.committer.stats;
  }

  get knownHead(): number {
    return this.head;
  }

  append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('SqliteEventStore is closed'));
    try {
      assertValidExpected(expected);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.committer.enqueue({ streamId, events, expected });
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<readonly RecordedEvent[]> {
    const from = Math.max(0, options?.fromRevision ?? 0);
    const limit = limitOf(options?.maxCount);
    const rows = this.readStreamStatement(limit).all(streamId, from);
    // A read that stopped short of its limit reached the stream's end (and an empty read from 0: no stream).
    if (limit < 0 || rows.length < limit) {
      const last = rows[rows.length - 1];
      if (last !== undefined) this.streamHeads.learnEnd(streamId, last.revision);
      else if (from === 0) this.streamHeads.learnEnd(streamId, -1);
      else if (this.lastRevisionStmt.get(streamId) === from - 1) this.streamHeads.learnEnd(streamId, from - 1);
    }
    return rows.map(toRecordedEvent);
  }

  /**
   * True when this instance knows `revision` is the stream's last (see StreamHeads). Other
   * processes' appends are learnt by the poller, so without one nothing is claimed.
   */
  isKnownCurrent(streamId: string, revision: number): boolean {
    return this.poller !== undefined && this.streamHeads.isCurrent(streamId, revision);
  }

  async lastRevision(streamId: string): Promise<number | undefined> {
    return this.lastRevisionStmt.get(streamId) ?? undefined;
  }

  async readAll(options?: ReadAllOptions): Promise<readonly RecordedEvent[]> {
    return this.readRows(options).map(toRecordedEvent);
  }

  /** The same rows, data and metadata left as the JSON text they are stored as; read as arrays, which costs SQLite less than row objects. */
  async readAllText(options?: ReadAllOptions): Promise<readonly StoredEventText[]> {
    const filter = compileFilter(options?.filter);
    const after = seqOf(options?.after);
    const limit = limitOf(options?.maxCount);
    const rows = this.readAllStatement(filter, false, limit, 'raw').all(after, ...filter.params);
    const last = rows[rows.length - 1];
    this.readInOrder(filter, after, last?.[0] ?? after, limit < 0 || rows.length < limit);
    return rows.map(toStoredText);
  }

  private readRows(options: ReadAllOptions | undefined): EventRow[] {
    const filter = compileFilter(options?.filter);
    const after = seqOf(options?.after);
    const limit = limitOf(options?.maxCount);
    const rows = this.readAllStatement(filter, false, limit).all(after, ...filter.params);
    const last = rows[rows.length - 1];
    this.readInOrder(filter, after, last?.position ?? after, limit < 0 || rows.length < limit);
    return rows;
  }

  /**
   * Rejects when an append could not be stored now: less than MIN_FREE_BYTES free where the file
   * lives (a full disk, which SQLite may only hit at its next WAL growth or checkpoint), or a probe
   * commit on the writer thread that fails (read-only file system, I/O fault).
   */
  async checkWritable(): Promise<void> {
    if (this.closed) throw new Error('SqliteEventStore is closed');
    const fs = await statfs(dirname(this.path));
    if (fs.bavail * fs.bsize < MIN_FREE_BYTES) throw new Error('the disk holding the event log is full');
    await this.writer.request({ kind: 'probe' });
  }

  async headPosition(): Promise<Position | undefined> {
    const head = this.headStmt.get();
    return head === null || head === undefined ? undefined : positionOf(head);
  }

  subscribeAll(options?: SubscribeOptions): Subscription {
    const sub = new SqliteSubscription(
      this,
      seqOf(options?.after),
      compileFilter(options?.filter),
      { pageSize: this.pageSize, maxBuffered: Math.max(this.pageSize, 1000) },
      (s) => this.unsubscribe(s),
    );
    if (this.closed) {
      void sub.close();
      return sub;
    }
    this.subscriptions.add(sub);
    this.poller ??= setInterval(() => this.poll(), this.pollIntervalMs);
    return sub;
  }

  readPage(after: number, filter: CompiledFilter, limit: number): { events: RecordedEvent[]; scannedTo: number } {
    return this.readPageTx(after, filter, limit);
  }

  /** Writes pending appends, ends subscriptions, then closes the database. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.committer.drain();
    await this.writer.close();
    for (const s of [...this.subscriptions]) await s.close();
    this.stopPolling();
    this.db.close();
    await this.longScans.settle();
  }

  private readStreamStatement(limit: number): Database.Statement<[string, number], EventRow> {
    let stmt = this.readStreamStmts.get(limit);
    if (stmt === undefined) {
      stmt = this.db.prepare<[string, number], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ${Math.trunc(limit)}`,
      );
      // Callers use a handful of limits; keep the cache bounded all the same.
      if (this.readStreamStmts.size < 64) this.readStreamStmts.set(limit, stmt);
    }
    return stmt;
  }

  private readAllStatement(filter: CompiledFilter, bounded: boolean, limit: number): Database.Statement<Bindable[], EventRow>;
  private readAllStatement(filter: CompiledFilter, bounded: boolean, limit: number, raw: 'raw'): Database.Statement<Bindable[], EventTuple>;
  private readAllStatement(filter: CompiledFilter, bounded: boolean, limit: number, raw?: 'raw'): Database.Statement<Bindable[], EventRow | EventTuple> {
    const key = `${filter.shapeKey}:${bounded ? 'b' : 'u'}:${Math.trunc(limit)}${raw === undefined ? '' : ':raw'}`;
    let stmt = this.readAllStmts.get(key);
    if (stmt === undefined) {
      const upper = bounded ? 'AND position <= ?' : '';
      stmt = this.db.prepare<Bindable[], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ${upper} ${filter.sql} ORDER BY position LIMIT ${Math.trunc(limit)}`,
      );
      if (raw !== undefined) stmt.raw(true);
      if (this.readAllStmts.size < 256) this.readAllStmts.set(key, stmt);
    }
    return stmt;
  }

  /** A read of positions `after`..`to`: an unfiltered one went through every page in order, a filtered one through the type index (long-scans.ts). */
  private readInOrder(filter: CompiledFilter, after: number, to: number, reachedEnd: boolean): void {
    if (filter.sql === '') this.longScans.read(after, to, reachedEnd);
  }

  /** After a local commit: hand the new events straight to live subscribers (no re-read). */
  private committed(rows: readonly EventRow[]): void {
    const first = rows[0];
    const last = rows[rows.length - 1];
    if (first === undefined || last === undefined) return;
    this.head = Math.max(this.head, last.position);
    for (const row of rows) this.streamHeads.learn(row.stream_id, row.revision);
    if (this.subscriptions.size === 0) return;
    const events = rows.map(toRecordedEvent);
    for (const s of this.subscriptions) s.offer(events, first.position, last.position);
  }

  /** Other processes' appends: their streams' cached states must be caught up again. */
  private learnAppendsBetween(after: number, upTo: number): void {
    for (const row of this.streamsSinceStmt.all(after, upTo)) this.streamHeads.learn(row.stream_id, row.revision);
  }

  /** Fallback for appends made by other processes on the same file. */
  private poll(): void {
    if (this.closed) return;
    const head = this.headStmt.get() ?? 0;
    // Not from `this.head`: our own later commits move it past other processes' appends.
    if (head > this.polledTo) {
      this.learnAppendsBetween(this.polledTo, head);
      this.polledTo = head;
    }
    if (head <= this.head) return;
    this.head = head;
    for (const s of this.subscriptions) s.notify();
  }

  private unsubscribe(sub: SqliteSubscription): void {
    this.subscriptions.delete(sub);
    if (this.subscriptions.size === 0) this.stopPolling();
  }

  private stopPolling(): void {
    if (this.poller !== undefined) clearInterval(this.poller);
    this.poller = undefined;
  }
}
