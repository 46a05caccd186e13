import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Db } from 'mongodb';
import type { NodeLeases } from '../../application/ports/node-leases.js';

/** Leases next to the jobs in `scheduler.db`: same file, same nodes, own connection. */
export class SqliteNodeLeases implements NodeLeases {
  private readonly renewStmt: Database.Statement<[string, number]>;
  private readonly lapsedStmt: Database.Statement<[number], string>;
  private readonly forgetStmt: Database.Statement<[string, number | null, number | null]>;

  private constructor(private readonly db: Database.Database) {
    db.exec('CREATE TABLE IF NOT EXISTS node_leases (node_id TEXT PRIMARY KEY, until INTEGER NOT NULL) STRICT');
    this.renewStmt = db.prepare('INSERT INTO node_leases (node_id, until) VALUES (?, ?) ON CONFLICT (node_id) DO UPDATE SET until = excluded.until');
    this.lapsedStmt = db.prepare<[number], string>('SELECT node_id FROM node_leases WHERE until < ? ORDER BY node_id').pluck();
    this.forgetStmt = db.prepare('DELETE FROM node_leases WHERE node_id = ? AND (? IS NULL OR until < ?)');
  }

  static open(path: string): SqliteNodeLeases {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
      // A lease is rewritten every few seconds: a lost write is repaired by the next one.
      db.pragma('synchronous = NORMAL');
      return new SqliteNodeLeases(db);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  async renew(nodeId: string, until: Date): Promise<void> {
    this.renewStmt.run(nodeId, until.getTime());
  }

  async lapsed(now: Date): Promise<readonly string[]> {
    return this.lapsedStmt.all(now.getTime());
  }

  async forget(nodeId: string, lapsedAt?: Date): Promise<void> {
    const at = lapsedAt?.getTime() ?? null;
    this.forgetStmt.run(nodeId, at, at);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

interface LeaseDocument {
  readonly _id: string;
  readonly until: Date;
}

/** Leases in agenda's MongoDB database (collection `nodeLeases`); the client belongs to the caller. */
export class MongoNodeLeases implements NodeLeases {
  constructor(private readonly db: Db) {}

  private get leases() {
    return this.db.collection<LeaseDocument>('nodeLeases');
  }

  async renew(nodeId: string, until: Date): Promise<void> {
    await this.leases.updateOne({ _id: nodeId }, { $set: { until } }, { upsert: true });
  }

  async lapsed(now: Date): Promise<readonly string[]> {
    const docs = await this.leases
      .find({ until: { $lt: now } }, { projection: { _id: 1 } })
      .sort({ _id: 1 })
      .toArray();
    return docs.map((d) => d._id);
  }

  async forget(nodeId: string, lapsedAt?: Date): Promise<void> {
    await this.leases.deleteOne(lapsedAt === undefined ? { _id: nodeId } : { _id: nodeId, until: { $lt: lapsedAt } });
  }

  /** The shared client is closed by its owner. */
  async close(): Promise<void> {}
}
