import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Db } from 'mongodb';
import type { Position } from '../../application/ports/event-store.js';
import type { Claim, ReactorCheckpoints } from '../../application/ports/reactor-checkpoints.js';

interface Row {
  readonly owner: string;
  readonly until: number;
  readonly commit_pos: string | null;
  readonly prepare_pos: string | null;
}

const positionOfRow = (row: Row | undefined): Position | undefined =>
  row?.commit_pos === null || row?.commit_pos === undefined || row.prepare_pos === null
    ? undefined
    : { commit: BigInt(row.commit_pos), prepare: BigInt(row.prepare_pos) };

/** Reactor checkpoints and leases in `scheduler.db`, beside the node leases; claims run in one write transaction. */
export class SqliteReactorCheckpoints implements ReactorCheckpoints {
  private readonly getStmt: Database.Statement<[string], Row>;
  private readonly upsertStmt: Database.Statement<[string, string, number]>;
  private readonly saveStmt: Database.Statement<[string, string, string, string]>;
  private readonly releaseStmt: Database.Statement<[string, string]>;
  private readonly claimTx: Database.Transaction<(name: string, owner: string, until: number, now: number) => Claim>;

  private constructor(private readonly db: Database.Database) {
    db.exec(
      'CREATE TABLE IF NOT EXISTS reactor_checkpoints (name TEXT PRIMARY KEY, owner TEXT NOT NULL, until INTEGER NOT NULL, commit_pos TEXT, prepare_pos TEXT) STRICT',
    );
    this.getStmt = db.prepare<[string], Row>('SELECT owner, until, commit_pos, prepare_pos FROM reactor_checkpoints WHERE name = ?');
    this.upsertStmt = db.prepare(
      'INSERT INTO reactor_checkpoints (name, owner, until) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until',
    );
    this.saveStmt = db.prepare('UPDATE reactor_checkpoints SET commit_pos = ?, prepare_pos = ? WHERE name = ? AND owner = ?');
    this.releaseStmt = db.prepare('UPDATE reactor_checkpoints SET until = 0 WHERE name = ? AND owner = ?');
    this.claimTx = db.transaction((name: string, owner: string, until: number, now: number): Claim => {
      const row = this.getStmt.get(name);
      if (row !== undefined && row.owner !== owner && row.until >= now) return { owned: false, owner: row.owner };
      this.upsertStmt.run(name, owner, until);
      return { owned: true, checkpoint: positionOfRow(row) };
    });
  }

  static open(path: string): SqliteReactorCheckpoints {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
      return new SqliteReactorCheckpoints(db);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  async claim(name: string, owner: string, until: Date, now: Date): Promise<Claim> {
    // IMMEDIATE: two processes claiming at once serialise on SQLite's write lock.
    return this.claimTx.immediate(name, owner, until.getTime(), now.getTime());
  }

  async save(name: string, owner: string, position: Position): Promise<boolean> {
    return this.saveStmt.run(position.commit.toString(), position.prepare.toString(), name, owner).changes === 1;
  }

  async release(name: string, owner: string): Promise<void> {
    this.releaseStmt.run(name, owner);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

interface CheckpointDocument {
  readonly _id: string;
  readonly owner: string;
  readonly until: Date;
  readonly commit?: string;
  readonly prepare?: string;
}

/** The same in MongoDB (collection `reactorCheckpoints`): a claim is one conditional upsert. */
export class MongoReactorCheckpoints implements ReactorCheckpoints {
  constructor(private readonly db: Db) {}

  private get docs() {
    return this.db.collection<CheckpointDocument>('reactorCheckpoints');
  }

  async claim(name: string, owner: string, until: Date, now: Date): Promise<Claim> {
    try {
      const doc = await this.docs.findOneAndUpdate(
        { _id: name, $or: [{ owner }, { until: { $lt: now } }] },
        { $set: { owner, until } },
        { upsert: true, returnDocument: 'after' },
      );
      const checkpoint = doc?.commit === undefined || doc.prepare === undefined ? undefined : { commit: BigInt(doc.commit), prepare: BigInt(doc.prepare) };
      return { owned: true, checkpoint };
    } catch (err) {
      // The upsert collided with a live lease held by another owner (duplicate _id).
      if (typeof err === 'object' && err !== null && 'code' in err && err.code === 11000) {
        const held = await this.docs.findOne({ _id: name });
        return { owned: false, owner: held?.owner ?? 'unknown' };
      }
      throw err;
    }
  }

  async save(name: string, owner: string, position: Position): Promise<boolean> {
    const r = await this.docs.updateOne({ _id: name, owner }, { $set: { commit: position.commit.toString(), prepare: position.prepare.toString() } });
    return r.matchedCount === 1;
  }

  async release(name: string, owner: string): Promise<void> {
    await this.docs.updateOne({ _id: name, owner }, { $set: { until: new Date(0) } });
  }

  /** The shared client is closed by its owner. */
  async close(): Promise<void> {}
}
