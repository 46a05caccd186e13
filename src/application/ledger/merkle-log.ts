import type { LedgerLeaf, LedgerStore, TreeNode } from './ledger-store.js';
import { foldRight, hashChildren, HASH_SIZE } from './merkle.js';
import { coverOf } from './tree-ranges.js';
import { answered, TreeReader } from './tree-reader.js';

const isSize = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

/**
 * The ledger's Merkle tree over a LedgerStore. Appends hash only the new leaves' subtrees (the
 * right edge is kept in memory); roots at any past size and proofs between any sizes come from
 * O(log n) stored nodes, read in one batch, never from rehashing the log.
 *
 * One writer at a time: appends are serialised here, and the store refuses an append that does
 * not start at its size. After a failed append the edge is reloaded from the store before the
 * next operation, since the store may or may not have committed it.
 */
export class MerkleLog {
  private queue: Promise<unknown> = Promise.resolve();
  private stale = false;
  private readonly reader: TreeReader;

  private constructor(
    private readonly store: LedgerStore,
    private treeSize: number,
    /** The right edge: the complete subtrees of [0, size), largest first, whose fold is the root. */
    private edge: readonly TreeNode[],
  ) {
    this.reader = new TreeReader(store);
  }

  static async open(store: LedgerStore): Promise<MerkleLog> {
    const { size, edge } = await MerkleLog.loadEdge(store);
    return new MerkleLog(store, size, edge);
  }

  private static async loadEdge(store: LedgerStore): Promise<{ size: number; edge: TreeNode[] }> {
    const size = await store.size();
    const ids = coverOf({ start: 0, end: size });
    const hashes = await store.nodes(ids);
    return { size, edge: ids.map((id, i) => ({ ...id, hash: answered(hashes, i) })) };
  }

  /** Leaves committed, as this writer knows them. */
  get size(): number {
    return this.treeSize;
  }

  /** Root of the tree at its current size, from memory. */
  get root(): Buffer {
    return foldRight(this.edge.map((n) => n.hash));
  }

  /** Appends leaves (hashes from leaf.ts) in log order; resolves with the new size once committed. */
  append(leaves: readonly LedgerLeaf[]): Promise<number> {
    return this.serialised(async () => {
      for (const leaf of leaves) if (leaf.hash.length !== HASH_SIZE) throw new RangeError(`leaf of ${leaf.eventId}: not a SHA-256 hash`);
      if (leaves.length === 0) return this.treeSize;
      const edge = [...this.edge];
      const nodes: TreeNode[] = [];
      let index = this.treeSize;
      for (const leaf of leaves) {
        // A binary counter: a new leaf merges with equal-sized subtrees at the edge, and each merge completes a node.
        let node: TreeNode = { level: 0, index, hash: leaf.hash };
        for (let last = edge.at(-1); last !== undefined && last.level === node.level; last = edge.at(-1)) {
          edge.pop();
          node = { level: node.level + 1, index: last.index / 2, hash: hashChildren(last.hash, node.hash) };
          nodes.push(node);
        }
        edge.push(node);
        index++;
      }
      try {
        await this.store.append({ start: this.treeSize, leaves, nodes });
      } catch (e) {
        this.stale = true;
        throw e;
      }
      this.edge = edge;
      this.treeSize = index;
      return index;
    });
  }

  /** Root of the tree of the first `size` leaves (0 ≤ size ≤ current size). */
  async rootAt(size: number): Promise<Buffer> {
    await this.fresh();
    this.checkSize(size);
    return size === this.treeSize ? this.root : this.reader.rootAt(size);
  }

  /** Inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3). */
  async inclusionProof(index: number, size: number): Promise<Buffer[]> {
    await this.fresh();
    this.checkSize(size);
    return this.reader.inclusionProof(index, size);
  }

  /** Consistency proof from the tree of `from` leaves to the tree of `to` (RFC 9162 §2.1.4). */
  async consistencyProof(from: number, to: number): Promise<Buffer[]> {
    await this.fresh();
    this.checkSize(to);
    return this.reader.consistencyProof(from, to);
  }

  /** Index of an event's leaf, if the tree has it. */
  async indexOf(eventId: string): Promise<number | undefined> {
    const index = await this.store.leafIndex(eventId);
    return index === undefined || index >= this.treeSize ? undefined : index;
  }

  private checkSize(size: number): void {
    if (!isSize(size) || size > this.treeSize) throw new RangeError(`no tree of ${size} leaves: the ledger has ${this.treeSize}`);
  }

  /** Reads after a failed append wait for the edge to be reloaded. */
  private async fresh(): Promise<void> {
    if (this.stale) await this.serialised(async () => undefined);
  }

  private serialised<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      // An append after one that failed starts from what the store committed.
      if (this.stale) {
        const { size, edge } = await MerkleLog.loadEdge(this.store);
        [this.treeSize, this.edge, this.stale] = [size, edge, false];
      }
      return op();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
