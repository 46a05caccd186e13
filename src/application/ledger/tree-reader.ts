import type { LedgerStore } from './ledger-store.js';
import { foldRight, HASH_SIZE } from './merkle.js';
import { consistencyRanges, coverOf, inclusionRanges, nodeKey, type LeafRange, type NodeId } from './tree-ranges.js';

/** A hash the store was asked for; a store that answers fewer is broken, not a tree to guess at. */
export const answered = (hashes: readonly Buffer[], i: number): Buffer => {
  const hash = hashes[i];
  if (hash === undefined || hash.length !== HASH_SIZE) throw new Error(`ledger store: node ${i} of the batch missing or not a hash`);
  return hash;
};

const isSize = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

/**
 * Roots and proofs of the tree a LedgerStore holds, at any size it committed, from O(log n)
 * stored nodes read in one batch: what the writer (MerkleLog) and every node serving proofs
 * read, never rehashing the log. Sizes are the caller's to check against what it may answer
 * (a signed checkpoint); the store refuses nodes it has not committed.
 */
export class TreeReader {
  constructor(private readonly store: Pick<LedgerStore, 'nodes'>) {}

  /** Root of the tree of the first `size` leaves. */
  async rootAt(size: number): Promise<Buffer> {
    if (!isSize(size)) throw new RangeError(`no tree of ${size} leaves`);
    return answered(await this.rangeRoots([{ start: 0, end: size }]), 0);
  }

  /** Inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3). */
  async inclusionProof(index: number, size: number): Promise<Buffer[]> {
    if (!isSize(size) || !Number.isSafeInteger(index) || index < 0 || index >= size) throw new RangeError(`no leaf ${index} in a tree of ${size}`);
    return this.rangeRoots(inclusionRanges(index, size));
  }

  /** Consistency proof from the tree of `from` leaves to the tree of `to` (RFC 9162 §2.1.4). */
  async consistencyProof(from: number, to: number): Promise<Buffer[]> {
    if (!isSize(from) || !isSize(to) || from > to) throw new RangeError(`no consistency proof from ${from} to ${to}`);
    return this.rangeRoots(consistencyRanges(from, to));
  }

  /** Roots of several ranges from one batch read of the distinct nodes they need. */
  private async rangeRoots(ranges: readonly LeafRange[]): Promise<Buffer[]> {
    const covers = ranges.map(coverOf);
    const wanted = new Map<string, NodeId>();
    for (const id of covers.flat()) wanted.set(nodeKey(id), id);
    const ids = [...wanted.values()];
    const hashes = ids.length === 0 ? [] : await this.store.nodes(ids);
    const byKey = new Map(ids.map((id, i) => [nodeKey(id), answered(hashes, i)]));
    const hashOf = (id: NodeId): Buffer => {
      const hash = byKey.get(nodeKey(id));
      if (hash === undefined) throw new Error(`ledger: node ${nodeKey(id)} was not read`);
      return hash;
    };
    return covers.map((cover) => foldRight(cover.map(hashOf)));
  }
}
