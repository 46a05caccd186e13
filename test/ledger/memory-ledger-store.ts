import {
  LedgerConflictError,
  type IndexedLedgerLeaf,
  type LedgerAppend,
  type LedgerStore,
  type NewCheckpoint,
  type StoredCheckpoint,
} from '../../src/application/ledger/ledger-store.js';
import { nodeKey, type NodeId } from '../../src/application/ledger/tree-ranges.js';

/**
 * A LedgerStore in memory for the tests, which counts what is read and can fail an append
 * before it commits, or after it commits without saying so (a lost acknowledgement).
 */
export class MemoryLedgerStore implements LedgerStore {
  private readonly leafList: IndexedLedgerLeaf[] = [];
  private readonly byEvent = new Map<string, number>();
  private readonly nodeMap = new Map<string, Buffer>();
  private readonly checkpointList: StoredCheckpoint[] = [];
  /** Calls of `nodes` and the ids they asked for. */
  readonly reads = { batches: 0, nodes: 0 };
  failNextAppend: 'before-commit' | 'after-commit' | undefined;

  async size(): Promise<number> {
    return this.leafList.length;
  }

  async append(batch: LedgerAppend): Promise<void> {
    if (batch.start !== this.leafList.length) throw new LedgerConflictError(`append at ${batch.start}, size ${this.leafList.length}`);
    const failure = this.failNextAppend;
    this.failNextAppend = undefined;
    if (failure === 'before-commit') throw new Error('injected: append failed before its commit');
    for (const leaf of batch.leaves)
      if (this.byEvent.has(leaf.eventId) || batch.leaves.filter((l) => l.eventId === leaf.eventId).length > 1)
        throw new Error(`duplicate event ${leaf.eventId}`);
    batch.leaves.forEach((leaf, i) => {
      this.leafList.push({ index: batch.start + i, eventId: leaf.eventId, hash: leaf.hash, position: leaf.position });
      this.byEvent.set(leaf.eventId, batch.start + i);
    });
    for (const node of batch.nodes) this.nodeMap.set(nodeKey(node), node.hash);
    if (failure === 'after-commit') throw new Error('injected: append committed, acknowledgement lost');
  }

  async nodes(ids: readonly NodeId[]): Promise<readonly Buffer[]> {
    this.reads.batches++;
    this.reads.nodes += ids.length;
    return ids.map((id) => {
      const hash = id.level === 0 ? this.leafList[id.index]?.hash : this.nodeMap.get(nodeKey(id));
      if (hash === undefined) throw new Error(`no node ${nodeKey(id)}`);
      return hash;
    });
  }

  async leafIndex(eventId: string): Promise<number | undefined> {
    return this.byEvent.get(eventId);
  }

  async leaves(start: number, limit: number): Promise<readonly IndexedLedgerLeaf[]> {
    return this.leafList.slice(start, start + limit);
  }

  async addCheckpoint(checkpoint: NewCheckpoint): Promise<StoredCheckpoint> {
    const latest = this.checkpointList.at(-1);
    if (checkpoint.size > this.leafList.length || (latest !== undefined && checkpoint.size < latest.size)) throw new LedgerConflictError('checkpoint size');
    const stored = { seq: this.checkpointList.length, ...checkpoint };
    this.checkpointList.push(stored);
    return stored;
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return this.checkpointList.at(-1);
  }

  async checkpoints(fromSeq: number, limit: number): Promise<readonly StoredCheckpoint[]> {
    return this.checkpointList.slice(fromSeq, fromSeq + limit);
  }

  async close(): Promise<void> {}
}
