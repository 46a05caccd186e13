import { splitPoint } from './merkle.js';

/**
 * Which stored nodes a root or a proof needs. Every hash in an RFC 6962 root or proof is the root
 * of some leaf range [start, end) met in the RFC's recursion; such a range starts at a multiple of
 * the power of two at or above its length, so it is a row of complete subtrees (largest first)
 * whose right fold is its hash. Planning first lets a store answer all of them in one batch read.
 */

/** A complete subtree: level l, index k covers leaves [k·2^l, (k+1)·2^l). Level 0 is a leaf. */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** Leaves [start, end). */
export interface LeafRange {
  readonly start: number;
  readonly end: number;
}

export const nodeKey = (id: NodeId): string => `${id.level}/${id.index}`;

/** The complete subtrees of [start, end), left to right; their right fold is MTH(D[start:end]). */
export const coverOf = ({ start, end }: LeafRange): NodeId[] => {
  const nodes: NodeId[] = [];
  let width = 1;
  let level = 0;
  while (width * 2 <= end - start) [width, level] = [width * 2, level + 1];
  for (let at = start; at < end; [width, level] = [width / 2, level - 1]) {
    if (end - at < width) continue;
    // Only ranges of the RFC's recursion are covered this way; anything else is a planning bug.
    if (at % width !== 0) throw new RangeError(`[${start}, ${end}) is not a range of the tree`);
    nodes.push({ level, index: at / width });
    at += width;
  }
  return nodes;
};

/** The ranges whose roots form the inclusion proof of leaf `index` in the tree of `size` (PATH of RFC 9162 §2.1.3.1). */
export const inclusionRanges = (index: number, size: number): LeafRange[] => {
  const ranges: LeafRange[] = [];
  let [lo, hi, m] = [0, size, index];
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (m < k) {
      ranges.push({ start: lo + k, end: hi });
      hi = lo + k;
    } else {
      ranges.push({ start: lo, end: lo + k });
      [lo, m] = [lo + k, m - k];
    }
  }
  // Collected root-side first; the proof lists them leaf-side first.
  return ranges.reverse();
};

/** The ranges whose roots form the consistency proof from `from` to `to` leaves (SUBPROOF of RFC 9162 §2.1.4.1). */
export const consistencyRanges = (from: number, to: number): LeafRange[] => {
  if (from === 0 || from === to) return [];
  const ranges: LeafRange[] = [];
  let [lo, hi, m, complete] = [0, to, from, true];
  for (;;) {
    const n = hi - lo;
    if (m === n) {
      if (!complete) ranges.push({ start: lo, end: hi });
      break;
    }
    const k = splitPoint(n);
    if (m <= k) {
      ranges.push({ start: lo + k, end: hi });
      hi = lo + k;
    } else {
      ranges.push({ start: lo, end: lo + k });
      [lo, m, complete] = [lo + k, m - k, false];
    }
  }
  return ranges.reverse();
};
