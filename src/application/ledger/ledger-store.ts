import type { NodeId } from './tree-ranges.js';

/** A leaf of the ledger: the event it stands for and its RFC 6962 leaf hash. */
export interface LedgerLeaf {
  readonly eventId: string;
  readonly hash: Buffer;
  /**
   * Where the event stands in the store that holds the log (`formatPosition`): bookkeeping, not
   * part of the leaf, so the ledger can read an event back and check the log's tail against it.
   */
  readonly position: string;
}

export interface IndexedLedgerLeaf extends LedgerLeaf {
  readonly index: number;
}

/** The hash of a complete subtree of level ≥ 1. */
export interface TreeNode extends NodeId {
  readonly hash: Buffer;
}

/** Leaves appended at the end of the tree, with every subtree they complete. */
export interface LedgerAppend {
  /** Index of the first leaf, i.e. the size the writer believes the tree has: a guard against a second writer. */
  readonly start: number;
  readonly leaves: readonly LedgerLeaf[];
  /** Every complete subtree of level ≥ 1 whose last leaf is among `leaves`. */
  readonly nodes: readonly TreeNode[];
}

/** A signed checkpoint as kept: every one the service signed, in signing order. */
export interface StoredCheckpoint {
  /** 0-based order of signing. */
  readonly seq: number;
  readonly size: number;
  readonly root: Buffer;
  /** The signed note, byte for byte as served. */
  readonly note: string;
  /** ISO 8601 time of signing. */
  readonly createdAt: string;
}

export type NewCheckpoint = Omit<StoredCheckpoint, 'seq'>;

/** The tree or the checkpoints moved under the writer: another writer, or an append whose outcome it did not learn. */
export class LedgerConflictError extends Error {
  override readonly name = 'LedgerConflictError';
}

/**
 * Durable state of the ledger: every leaf hash (found by index or event id), the hash of every
 * complete subtree, and every signed checkpoint. A store never rehashes: roots and proofs are
 * computed from the nodes it returns (merkle-log.ts).
 */
export interface LedgerStore {
  /** Number of leaves committed. */
  size(): Promise<number>;
  /**
   * Commits the leaves and their completed subtrees together: after a crash either all of
   * them or none are visible. LedgerConflictError when `start` is not the current size.
   */
  append(batch: LedgerAppend): Promise<void>;
  /** Hashes of complete subtrees (level 0: leaf hashes), in the order asked, read from one snapshot; a node not committed is an error. */
  nodes(ids: readonly NodeId[]): Promise<readonly Buffer[]>;
  /** Index of the leaf of this event, if it is in the tree. */
  leafIndex(eventId: string): Promise<number | undefined>;
  /** Up to `limit` leaves from index `start`, in order. */
  leaves(start: number, limit: number): Promise<readonly IndexedLedgerLeaf[]>;
  /**
   * Keeps a signed checkpoint and returns it with its `seq`. LedgerConflictError when its size is
   * beyond the tree or below the latest checkpoint's.
   */
  addCheckpoint(checkpoint: NewCheckpoint): Promise<StoredCheckpoint>;
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
  /** Up to `limit` checkpoints with seq ≥ `fromSeq`, in signing order. */
  checkpoints(fromSeq: number, limit: number): Promise<readonly StoredCheckpoint[]>;
  close(): Promise<void>;
}
