import { MongoServerError, type Binary, type Collection, type Db } from 'mongodb';
import {
  LedgerConflictError,
  type IndexedLedgerLeaf,
  type LedgerAppend,
  type LedgerStore,
  type NewCheckpoint,
  type StoredCheckpoint,
} from '../../application/ledger/ledger-store.js';
import { nodeKey, type NodeId } from '../../application/ledger/tree-ranges.js';

interface LeafDoc {
  readonly _id: number;
  readonly eventId: string;
  readonly hash: Buffer | Binary;
  readonly position: string;
}

interface NodeDoc {
  /** `level/index` */
  readonly _id: string;
  readonly hash: Buffer | Binary;
}

interface MetaDoc {
  readonly _id: 'tree';
  readonly size: number;
}

interface CheckpointDoc {
  readonly _id: number;
  readonly size: number;
  readonly root: Buffer | Binary;
  readonly note: string;
  readonly createdAt: string;
}

const DUPLICATE_KEY = 11000;
/** The commit point and checkpoints wait for the journal: acknowledged evidence survives a crash. */
const DURABLE = { writeConcern: { w: 'majority' as const, journal: true } };

const bytes = (b: Buffer | Binary): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer));

const toCheckpoint = (d: CheckpointDoc): StoredCheckpoint => ({ seq: d._id, size: d.size, root: bytes(d.root), note: d.note, createdAt: d.createdAt });

/**
 * The ledger in MongoDB, without multi-document transactions (a standalone server has none):
 * leaves and nodes are written first, then `ledger_meta.size` moves past them, which is the
 * commit. Nothing at or beyond the committed size is ever read, and an append first clears what a
 * failed one left there, so a crash at any point leaves either all of a batch visible or none.
 * One writer at a time (the size guard refuses a second one's append, but not its stray writes).
 */
export class MongoLedgerStore implements LedgerStore {
  private constructor(
    private readonly leavesCol: Collection<LeafDoc>,
    private readonly nodesCol: Collection<NodeDoc>,
    private readonly metaCol: Collection<MetaDoc>,
    private readonly checkpointsCol: Collection<CheckpointDoc>,
    private readonly onClose: () => Promise<void>,
  ) {}

  /**
   * The store on collections `ledger_leaves`, `ledger_nodes`, `ledger_meta`, `ledger_checkpoints`
   * of `db`; creates their indexes. `onClose` runs at `close` (closing a client the store owns).
   */
  static async on(db: Db, onClose: () => Promise<void> = async () => undefined): Promise<MongoLedgerStore> {
    const leaves = db.collection<LeafDoc>('ledger_leaves');
    await leaves.createIndex({ eventId: 1 }, { unique: true });
    return new MongoLedgerStore(
      leaves,
      db.collection<NodeDoc>('ledger_nodes'),
      db.collection<MetaDoc>('ledger_meta'),
      db.collection<CheckpointDoc>('ledger_checkpoints'),
      onClose,
    );
  }

  async size(): Promise<number> {
    return (await this.metaCol.findOne({ _id: 'tree' }))?.size ?? 0;
  }

  async append(batch: LedgerAppend): Promise<void> {
    const size = await this.size();
    if (batch.start !== size) throw new LedgerConflictError(`append at ${batch.start}, but the ledger has ${size} leaves`);
    if (batch.leaves.length === 0) return;
    // Leftovers of an append that never committed: their event ids would collide in the unique index.
    await this.leavesCol.deleteMany({ _id: { $gte: batch.start } });
    await this.leavesCol.insertMany(
      batch.leaves.map((leaf, i) => ({ _id: batch.start + i, eventId: leaf.eventId, hash: leaf.hash, position: leaf.position })),
      { ordered: false },
    );
    if (batch.nodes.length > 0)
      await this.nodesCol.bulkWrite(
        batch.nodes.map((node) => ({ replaceOne: { filter: { _id: nodeKey(node) }, replacement: { hash: node.hash }, upsert: true } })),
        { ordered: false },
      );
    try {
      const moved = await this.metaCol.updateOne({ _id: 'tree', size }, { $set: { size: size + batch.leaves.length } }, { upsert: size === 0, ...DURABLE });
      if (moved.matchedCount === 0 && moved.upsertedCount === 0) throw new LedgerConflictError(`the ledger moved past ${size} leaves during an append`);
    } catch (e) {
      if (e instanceof MongoServerError && e.code === DUPLICATE_KEY) throw new LedgerConflictError(`the ledger moved past ${size} leaves during an append`);
      throw e;
    }
  }

  async nodes(ids: readonly NodeId[]): Promise<readonly Buffer[]> {
    const size = await this.size();
    for (const id of ids) if ((id.index + 1) * 2 ** id.level > size) throw new Error(`ledger: node ${nodeKey(id)} is beyond the ${size} committed leaves`);
    const leafIds = ids.filter((id) => id.level === 0).map((id) => id.index);
    const nodeIds = ids.filter((id) => id.level > 0).map(nodeKey);
    const [leaves, nodes] = await Promise.all([
      leafIds.length === 0 ? [] : this.leavesCol.find({ _id: { $in: leafIds } }, { projection: { hash: 1 } }).toArray(),
      nodeIds.length === 0 ? [] : this.nodesCol.find({ _id: { $in: nodeIds } }).toArray(),
    ]);
    const found = new Map<string, Buffer>([
      ...leaves.map((d) => [nodeKey({ level: 0, index: d._id }), bytes(d.hash)] as const),
      ...nodes.map((d) => [d._id, bytes(d.hash)] as const),
    ]);
    return ids.map((id) => {
      const hash = found.get(nodeKey(id));
      if (hash === undefined) throw new Error(`ledger: no node ${nodeKey(id)}`);
      return hash;
    });
  }

  async leafIndex(eventId: string): Promise<number | undefined> {
    const [doc, size] = await Promise.all([this.leavesCol.findOne({ eventId }, { projection: { _id: 1 } }), this.size()]);
    return doc !== null && doc._id < size ? doc._id : undefined;
  }

  async leaves(start: number, limit: number): Promise<readonly IndexedLedgerLeaf[]> {
    const size = await this.size();
    const docs = await this.leavesCol
      .find({ _id: { $gte: start, $lt: size } })
      .sort({ _id: 1 })
      .limit(limit)
      .toArray();
    return docs.map((d) => ({ index: d._id, eventId: d.eventId, hash: bytes(d.hash), position: d.position }));
  }

  async addCheckpoint(checkpoint: NewCheckpoint): Promise<StoredCheckpoint> {
    const [latest, size] = await Promise.all([this.latestCheckpoint(), this.size()]);
    if (checkpoint.size > size) throw new LedgerConflictError(`checkpoint of ${checkpoint.size} leaves, but the ledger has ${size}`);
    if (latest !== undefined && checkpoint.size < latest.size)
      throw new LedgerConflictError(`checkpoint of ${checkpoint.size} leaves after one of ${latest.size}`);
    const seq = latest === undefined ? 0 : latest.seq + 1;
    try {
      await this.checkpointsCol.insertOne(
        { _id: seq, size: checkpoint.size, root: checkpoint.root, note: checkpoint.note, createdAt: checkpoint.createdAt },
        DURABLE,
      );
    } catch (e) {
      if (e instanceof MongoServerError && e.code === DUPLICATE_KEY) throw new LedgerConflictError(`checkpoint ${seq} was added by another writer`);
      throw e;
    }
    return { seq, size: checkpoint.size, root: checkpoint.root, note: checkpoint.note, createdAt: checkpoint.createdAt };
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    const [doc] = await this.checkpointsCol.find().sort({ _id: -1 }).limit(1).toArray();
    return doc === undefined ? undefined : toCheckpoint(doc);
  }

  async checkpoints(fromSeq: number, limit: number): Promise<readonly StoredCheckpoint[]> {
    const docs = await this.checkpointsCol
      .find({ _id: { $gte: fromSeq } })
      .sort({ _id: 1 })
      .limit(limit)
      .toArray();
    return docs.map(toCheckpoint);
  }

  async close(): Promise<void> {
    await this.onClose();
  }
}
