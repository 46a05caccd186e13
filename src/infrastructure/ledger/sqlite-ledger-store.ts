import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  LedgerConflictError,
  type IndexedLedgerLeaf,
  type LedgerAppend,
  type LedgerStore,
  type NewCheckpoint,
  type StoredCheckpoint,
} from '../../application/ledger/ledger-store.js';
import type { NodeId } from '../../application/ledger/tree-ranges.js';

export const LEDGER_DB_FILE = 'ledger.db';

export interface SqliteLedgerStoreOptions {
  /** Directory of `ledger.db` (DATA_DIR): a file of its own, beside the event log. */
  readonly directory: string;
  readonly busyTimeoutMs?: number;
}

/**
 * `leaves.idx` is the rowid, so the size is its maximum + 1 without a scan. Nodes of level ≥ 1 are
 * only ever inserted once complete, in the transaction of the leaves that complete them.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS leaves (
  idx      INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  hash     BLOB NOT NULL,
  position TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS nodes (
  level INTEGER NOT NULL,
  idx   INTEGER NOT NULL,
  hash  BLOB NOT NULL,
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (
  seq        INTEGER PRIMARY KEY,
  size       INTEGER NOT NULL,
  root       BLOB NOT NULL,
  note       TEXT NOT NULL,
  created_at TEXT NOT NULL
);
`;

interface CheckpointRow {
  readonly seq: number;
  readonly size: number;
  readonly root: Buffer;
  readonly note: string;
  readonly created_at: string;
}

interface LeafRow {
  readonly idx: number;
  readonly event_id: string;
  readonly hash: Buffer;
  readonly position: string;
}

const toCheckpoint = (row: CheckpointRow): StoredCheckpoint => ({ seq: row.seq, size: row.size, root: row.root, note: row.note, createdAt: row.created_at });

/**
 * The ledger in its own SQLite file, WAL. A signed checkpoint is the evidence: its commit syncs the
 * WAL (synchronous=FULL), and with it every leaf committed before it. Leaves alone commit without
 * an fsync (NORMAL): they are derived from the log, and those a power cut takes after the last
 * checkpoint are taken again from the log at the next start (the ledger resumes after its last
 * leaf). So the node holding the lease no longer stalls its event loop on an fsync per batch.
 */
export class SqliteLedgerStore implements LedgerStore {
  private readonly sizeStmt: Database.Statement<[], { size: number }>;
  private readonly leafHashStmt: Database.Statement<[number], { hash: Buffer }>;
  private readonly nodeHashStmt: Database.Statement<[number, number], { hash: Buffer }>;
  private readonly leafIndexStmt: Database.Statement<[string], { idx: number }>;
  private readonly leavesStmt: Database.Statement<[number, number], LeafRow>;
  private readonly latestStmt: Database.Statement<[], CheckpointRow>;
  private readonly checkpointsStmt: Database.Statement<[number, number], CheckpointRow>;
  private readonly appendTx: (batch: LedgerAppend) => void;
  private readonly addCheckpointTx: (checkpoint: NewCheckpoint) => StoredCheckpoint;
  private readonly readNodes: (ids: readonly NodeId[]) => Buffer[];

  private constructor(private readonly db: Database.Database) {
    this.sizeStmt = db.prepare('SELECT COALESCE(MAX(idx) + 1, 0) AS size FROM leaves');
    this.leafHashStmt = db.prepare('SELECT hash FROM leaves WHERE idx = ?');
    this.nodeHashStmt = db.prepare('SELECT hash FROM nodes WHERE level = ? AND idx = ?');
    this.leafIndexStmt = db.prepare('SELECT idx FROM leaves WHERE event_id = ?');
    this.leavesStmt = db.prepare('SELECT idx, event_id, hash, position FROM leaves WHERE idx >= ? ORDER BY idx LIMIT ?');
    this.latestStmt = db.prepare('SELECT seq, size, root, note, created_at FROM checkpoints ORDER BY seq DESC LIMIT 1');
    this.checkpointsStmt = db.prepare('SELECT seq, size, root, note, created_at FROM checkpoints WHERE seq >= ? ORDER BY seq LIMIT ?');
    const insertLeaf = db.prepare<[number, string, Buffer, string]>('INSERT INTO leaves (idx, event_id, hash, position) VALUES (?, ?, ?, ?)');
    const insertNode = db.prepare<[number, number, Buffer]>('INSERT INTO nodes (level, idx, hash) VALUES (?, ?, ?)');
    const insertCheckpoint = db.prepare<[number, number, Buffer, string, string]>(
      'INSERT INTO checkpoints (seq, size, root, note, created_at) VALUES (?, ?, ?, ?, ?)',
    );

    this.appendTx = db.transaction((batch: LedgerAppend) => {
      const size = this.currentSize();
      if (batch.start !== size) throw new LedgerConflictError(`append at ${batch.start}, but the ledger has ${size} leaves`);
      batch.leaves.forEach((leaf, i) => insertLeaf.run(batch.start + i, leaf.eventId, leaf.hash, leaf.position));
      for (const node of batch.nodes) insertNode.run(node.level, node.index, node.hash);
    }).immediate;

    this.addCheckpointTx = db.transaction((checkpoint: NewCheckpoint): StoredCheckpoint => {
      const latest = this.latestStmt.get();
      const size = this.currentSize();
      if (checkpoint.size > size) throw new LedgerConflictError(`checkpoint of ${checkpoint.size} leaves, but the ledger has ${size}`);
      if (latest !== undefined && checkpoint.size < latest.size)
        throw new LedgerConflictError(`checkpoint of ${checkpoint.size} leaves after one of ${latest.size}`);
      const seq = latest === undefined ? 0 : latest.seq + 1;
      insertCheckpoint.run(seq, checkpoint.size, checkpoint.root, checkpoint.note, checkpoint.createdAt);
      return { seq, ...checkpoint };
    }).immediate;

    // One read transaction: every node of a proof from the same snapshot.
    this.readNodes = db.transaction((ids: readonly NodeId[]) =>
      ids.map(({ level, index }) => {
        const row = level === 0 ? this.leafHashStmt.get(index) : this.nodeHashStmt.get(level, index);
        if (row === undefined) throw new Error(`ledger: no node ${level}/${index}`);
        return row.hash;
      }),
    );
  }

  static open(options: SqliteLedgerStoreOptions): SqliteLedgerStore {
    mkdirSync(options.directory, { recursive: true });
    const db = new Database(join(options.directory, LEDGER_DB_FILE));
    try {
      const mode: unknown = db.pragma('journal_mode = WAL', { simple: true });
      if (typeof mode !== 'string' || mode.toLowerCase() !== 'wal') throw new Error(`SQLite ledger: could not enable WAL (journal_mode=${String(mode)})`);
      db.pragma('synchronous = NORMAL');
      db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
      // The event_id index takes random uuids: a larger page cache keeps its inserts in memory.
      db.pragma('cache_size = -32768'); // KiB
      db.exec(DDL);
      return new SqliteLedgerStore(db);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  private currentSize(): number {
    return this.sizeStmt.get()?.size ?? 0;
  }

  async size(): Promise<number> {
    return this.currentSize();
  }

  async append(batch: LedgerAppend): Promise<void> {
    this.appendTx(batch);
  }

  async nodes(ids: readonly NodeId[]): Promise<readonly Buffer[]> {
    return this.readNodes(ids);
  }

  async leafIndex(eventId: string): Promise<number | undefined> {
    return this.leafIndexStmt.get(eventId)?.idx;
  }

  async leaves(start: number, limit: number): Promise<readonly IndexedLedgerLeaf[]> {
    return this.leavesStmt.all(start, limit).map((r) => ({ index: r.idx, eventId: r.event_id, hash: r.hash, position: r.position }));
  }

  async addCheckpoint(checkpoint: NewCheckpoint): Promise<StoredCheckpoint> {
    this.db.pragma('synchronous = FULL');
    try {
      return this.addCheckpointTx(checkpoint);
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    const row = this.latestStmt.get();
    return row === undefined ? undefined : toCheckpoint(row);
  }

  async checkpoints(fromSeq: number, limit: number): Promise<readonly StoredCheckpoint[]> {
    return this.checkpointsStmt.all(fromSeq, limit).map(toCheckpoint);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
