import type { RecordedEvent } from '../ports/event-store.js';
import { formatPosition } from '../ports/position.js';
import type { IndexedLedgerLeaf } from './ledger-store.js';

/** A sealed leaf the log no longer matches: the first one names what was altered. */
export interface LeafMismatch {
  /** The leaf's index in the ledger (0-based). */
  readonly index: number;
  /** The event the ledger sealed there, and where it stood. */
  readonly eventId: string;
  readonly position: string;
  readonly problem: string;
}

const at = (leaf: IndexedLedgerLeaf, problem: string): LeafMismatch => ({ index: leaf.index, eventId: leaf.eventId, position: leaf.position, problem });

/**
 * How the log's event at a sealed leaf's place differs from it, or undefined when it matches;
 * `sameHash`: whether the event's leaf hash is the sealed one.
 */
export const mismatchOf = (leaf: IndexedLedgerLeaf, event: Pick<RecordedEvent, 'id' | 'position'>, sameHash: boolean): LeafMismatch | undefined => {
  const position = formatPosition(event.position);
  if (event.id !== leaf.eventId) return at(leaf, `is not where it was sealed: the log has event ${event.id} at position ${position}`);
  if (!sameHash) return at(leaf, 'was altered: its leaf differs from the one sealed');
  if (position !== leaf.position) return at(leaf, `moved to position ${position}`);
  return undefined;
};

/** A sealed leaf past the log's end. */
export const missing = (leaf: IndexedLedgerLeaf): LeafMismatch => at(leaf, 'is missing: the log ends before it');

/** One line naming the first bad event: its position and id, the leaf, what is wrong. */
export const describeMismatch = (m: LeafMismatch): string => `event ${m.eventId} at position ${m.position} (leaf ${m.index}) ${m.problem}`;
