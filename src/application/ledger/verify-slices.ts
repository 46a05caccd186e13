import type { LogProcessor } from '../log/log-processor.js';
import type { StoredEventText } from '../ports/event-store.js';
import { parsePosition } from '../ports/position.js';
import { mismatchOf, missing, type LeafMismatch } from './leaf-check.js';
import { leafHashAsStoredInto, leafHashOfTextInto, storedCanonically } from './leaf.js';
import type { LedgerStore } from './ledger-store.js';
import { hashChildren, HASH_SIZE, mergeInPlace } from './merkle.js';
import { coverOf, nodeKey, type NodeId } from './tree-ranges.js';

/**
 * A full `ledger verify` splits the log into slices that threads check at once. Slice k holds
 * the log's events between two sealed positions, which the ledger says are its leaves
 * [k·2^L, (k+1)·2^L): a complete subtree. A thread hashes the slice's events into that subtree
 * and compares it with the ledger's stored node, one read instead of 2^L; only when they differ
 * does it go down the stored nodes to the first leaf that differs. The last slice runs on to the
 * log's head (events not sealed yet are hashed, not compared). Slices follow the positions the
 * ledger recorded, so whatever was removed or inserted, together they read the whole log once.
 */
export interface VerifySlice {
  /** Ledger leaves [start, end) this slice compares; `start` is a multiple of the slice size. */
  readonly start: number;
  readonly end: number;
  /** Log positions (formatted): after `after` (undefined: the start of the log), through `until` (undefined: the head). */
  readonly after: string | undefined;
  readonly until: string | undefined;
  /** Tree sizes in the slice (start < size) whose right edge is wanted: the checkpoints' sizes. */
  readonly targets: readonly number[];
}

/** A complete subtree of the slice's events: its level (2^level leaves) and hash. */
export interface SubtreeNode {
  readonly level: number;
  readonly hash: Uint8Array;
}

export interface SliceResult {
  readonly start: number;
  /** Events the log holds in the slice's range. */
  readonly events: number;
  /** The complete subtrees of those events, largest first: one node when the slice is full. */
  readonly edge: readonly SubtreeNode[];
  /** The edge at each target size the slice reached. */
  readonly at: readonly { readonly size: number; readonly edge: readonly SubtreeNode[] }[];
  /** The first sealed leaf of the slice the log does not match. */
  readonly mismatch: LeafMismatch | undefined;
  /** A stored subtree that its own stored leaves do not give: the ledger store itself was altered. */
  readonly corrupt: string | undefined;
}

const isPowerOfTwo = (n: number): boolean => Number.isSafeInteger(n) && n >= 1 && 2 ** Math.round(Math.log2(n)) === n;

/** Slices of `span` (a power of two) leaves over a ledger of `size` leaves, bounded by the positions it recorded; each target size in the slice that reaches it. */
export const planSlices = async (store: Pick<LedgerStore, 'leaves'>, size: number, span: number, targets: readonly number[]): Promise<VerifySlice[]> => {
  if (!isPowerOfTwo(span)) throw new RangeError('slice size: a power of two');
  const slices: VerifySlice[] = [];
  let after: string | undefined;
  for (let start = 0; ; start += span) {
    const end = Math.min(size, start + span);
    const last = end === size;
    const mine = targets.filter((t) => t > start && (last || t <= start + span));
    if (last) {
      slices.push({ start, end, after, until: undefined, targets: mine });
      return slices;
    }
    const [bound] = await store.leaves(end - 1, 1);
    if (bound === undefined) throw new Error(`ledger: no leaf ${end - 1} though it has ${size}`);
    slices.push({ start, end, after, until: bound.position, targets: mine });
    after = bound.position;
  }
};

/** Copies a hash between buffers: Buffer.copy makes a view per call, which costs more than these 32 bytes. */
const copy32 = (from: Buffer, at: number, to: Buffer, into: number): void => {
  for (let i = 0; i < HASH_SIZE; i++) to[into + i] = from[at + i] ?? 0;
};

/**
 * The binary counter over leaf hashes: complete subtrees merge as they fill; the edge is what is
 * left, largest first. The edge's hashes sit in one buffer and merge in a scratch pair, so a
 * million pushes allocate nothing.
 */
class Counter {
  private readonly levels: number[] = [];
  /** The edge's hashes, the i-th at i·32 (an edge holds at most one node per level). */
  private readonly hashes = Buffer.alloc(64 * HASH_SIZE);
  /** 0x01 ‖ left ‖ right, the node being pushed on the right. */
  private readonly pair = Buffer.alloc(1 + 2 * HASH_SIZE, 0x01);

  /** Pushes the leaf hash at `from[offset, offset + 32)`. */
  push(from: Buffer, offset: number): void {
    const { levels, hashes, pair } = this;
    copy32(from, offset, pair, 1 + HASH_SIZE);
    let n = levels.length;
    let level = 0;
    for (; n > 0 && levels[n - 1] === level; n--, level++) {
      copy32(hashes, (n - 1) * HASH_SIZE, pair, 1);
      mergeInPlace(pair);
    }
    copy32(pair, 1 + HASH_SIZE, hashes, n * HASH_SIZE);
    levels.length = n;
    levels.push(level);
  }

  snapshot(): SubtreeNode[] {
    return this.levels.map((level, i) => ({ level, hash: new Uint8Array(this.hashes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE)) }));
  }
}

/** Rows read at once: few enough that a page's strings die young, between two scavenges. */
const PAGE = 512;

/**
 * Events of a slice whose leaves are computed in full, and their text checked, before its stored
 * text is taken as canonical. Text in another form (a log written before the store wrote canonical
 * text, whose metadata never is) shows at once; a slice taken wrongly costs a second pass, not a wrong answer.
 */
const PROBE = 4;

/** One pass over a slice's events: their leaf hashes in one buffer, the counter's final edge and its edge at each wanted size. */
interface Pass {
  readonly local: Buffer;
  readonly events: number;
  readonly edge: SubtreeNode[];
  readonly at: readonly { readonly size: number; readonly edge: SubtreeNode[] }[];
  /** Whether sealed leaves were hashed from stored text taken as canonical (their match with the ledger is then what proves them). */
  readonly asStored: boolean;
}

const hashPass = async (
  log: Pick<LogProcessor, 'textPages'>,
  range: Parameters<LogProcessor['textPages']>[0],
  slice: VerifySlice,
  wanted: readonly number[],
  mayTrustStored: boolean,
): Promise<Pass> => {
  const sealed = slice.end - slice.start;
  let leaves: Buffer = Buffer.allocUnsafe(Math.max(1, sealed) * HASH_SIZE);
  const counter = new Counter();
  const at: { size: number; edge: SubtreeNode[] }[] = [];
  let next = 0;
  let events = 0;
  // The SQLite store writes canonical text: once the slice's first events show it, the others'
  // sealed leaves skip canonicalisation. Leaves past the sealed ones are never compared, so never trusted.
  let probing = mayTrustStored;
  let asStored = false;
  for await (const page of log.textPages(range)) {
    for (const event of page.events) {
      if (leaves.length < (events + 1) * HASH_SIZE) leaves = grow(leaves);
      const offset = events * HASH_SIZE;
      if (asStored && events < sealed) leafHashAsStoredInto(event, leaves, offset);
      else leafHashOfTextInto(event, leaves, offset);
      if (probing) {
        if (!storedCanonically(event)) probing = false;
        else if (events + 1 === PROBE) [probing, asStored] = [false, true];
      }
      counter.push(leaves, offset);
      events++;
      for (let size = slice.start + events; wanted[next] === size; next++) at.push({ size, edge: counter.snapshot() });
    }
  }
  return { local: leaves.subarray(0, events * HASH_SIZE), events, edge: counter.snapshot(), at, asStored };
};

/** Hashes the slice's events and compares the subtrees they give with the ledger's. */
export const checkSlice = async (
  log: Pick<LogProcessor, 'textPages'>,
  store: Pick<LedgerStore, 'nodes' | 'leaves'>,
  slice: VerifySlice,
): Promise<SliceResult> => {
  const after = slice.after === undefined ? undefined : parsePosition(slice.after);
  const until = slice.until === undefined ? undefined : parsePosition(slice.until);
  if ((slice.after !== undefined && after === undefined) || (slice.until !== undefined && until === undefined))
    throw new Error(`ledger: a leaf of [${slice.start}, ${slice.end}) holds no log position`);
  const sealed = slice.end - slice.start;
  // The sealed leaves' edge is wanted too: it is what the ledger's stored nodes are compared with.
  const wanted = [...new Set([...slice.targets, ...(sealed > 0 ? [slice.end] : [])])].sort((a, b) => a - b);
  const range = { ...(after === undefined ? {} : { after }), ...(until === undefined ? {} : { until }), pageSize: PAGE };
  const stored = sealed === 0 ? [] : await store.nodes(coverOf({ start: slice.start, end: slice.end }));
  const matches = (pass: Pass): boolean => {
    const edge = pass.at.find((a) => a.size === slice.end)?.edge;
    return edge !== undefined && edge.length === stored.length && edge.every((n, i) => stored[i]?.equals(n.hash) === true);
  };
  let pass = await hashPass(log, range, slice, wanted, true);
  let same = matches(pass);
  // A difference is only believed from leaves computed in full.
  if (!same && pass.asStored) {
    pass = await hashPass(log, range, slice, wanted, false);
    same = matches(pass);
  }
  const found = same ? undefined : await firstDifference(log, store, slice, pass.local, range);
  return {
    start: slice.start,
    events: pass.events,
    edge: pass.edge,
    at: pass.at.filter((a) => slice.targets.includes(a.size)),
    mismatch: found?.mismatch,
    corrupt: found?.corrupt,
  };
};

const grow = (b: Buffer): Buffer => {
  const bigger = Buffer.allocUnsafe(b.length * 2);
  b.copy(bigger);
  return bigger;
};

/** The hash of subtree `id` from the slice's own leaf hashes, or undefined when the slice holds too few events for it. */
const localNode = (local: Buffer, start: number, id: NodeId): Buffer | undefined => {
  const first = id.index * 2 ** id.level - start;
  const count = 2 ** id.level;
  if ((first + count) * HASH_SIZE > local.length) return undefined;
  const level = (from: number, width: number): Buffer =>
    width === 1 ? local.subarray(from * HASH_SIZE, (from + 1) * HASH_SIZE) : hashChildren(level(from, width / 2), level(from + width / 2, width / 2));
  return level(first, count);
};

/**
 * Down the stored nodes of the sealed range, left first, to the first leaf whose stored hash the
 * log does not give; then what the log holds there. When every leaf matches but a node does not,
 * the ledger store was altered.
 */
const firstDifference = async (
  log: Pick<LogProcessor, 'textPages'>,
  store: Pick<LedgerStore, 'nodes' | 'leaves'>,
  slice: VerifySlice,
  local: Buffer,
  range: Parameters<LogProcessor['textPages']>[0],
): Promise<{ mismatch?: LeafMismatch; corrupt?: string }> => {
  const storedOf = async (id: NodeId): Promise<Buffer> => {
    const [hash] = await store.nodes([id]);
    if (hash === undefined) throw new Error(`ledger: no node ${nodeKey(id)}`);
    return hash;
  };
  /** The first leaf under `id` that differs, or undefined when the whole subtree matches. */
  const descend = async (id: NodeId): Promise<number | 'corrupt' | undefined> => {
    const mine = localNode(local, slice.start, id);
    if (mine !== undefined && mine.equals(await storedOf(id))) return undefined;
    if (id.level === 0) return id.index;
    const left = await descend({ level: id.level - 1, index: id.index * 2 });
    if (left !== undefined) return left;
    const right = await descend({ level: id.level - 1, index: id.index * 2 + 1 });
    // Both halves match, the whole does not: the stored node is not the hash of its stored children.
    return right ?? 'corrupt';
  };
  for (const id of coverOf({ start: slice.start, end: slice.end })) {
    const found = await descend(id);
    if (found === 'corrupt') return { corrupt: `the ledger's stored subtree ${nodeKey(id)} does not match its own leaves (the ledger store was altered)` };
    if (found === undefined) continue;
    const [leaf] = await store.leaves(found, 1);
    if (leaf === undefined) throw new Error(`ledger: no leaf ${found}`);
    const event = await eventAt(log, range, found - slice.start);
    if (event === undefined) return { mismatch: missing(leaf) };
    const hash = local.subarray((found - slice.start) * HASH_SIZE, (found - slice.start + 1) * HASH_SIZE);
    return { mismatch: mismatchOf(leaf, event, leaf.hash.equals(hash)) ?? { ...missing(leaf), problem: 'differs from the leaf sealed' } };
  }
  return {};
};

/** The slice's `n`-th event (0-based), read again: only a failed check pays for it. */
const eventAt = async (
  log: Pick<LogProcessor, 'textPages'>,
  range: Parameters<LogProcessor['textPages']>[0],
  n: number,
): Promise<StoredEventText | undefined> => {
  let seen = 0;
  for await (const page of log.textPages(range)) {
    if (seen + page.events.length > n) return page.events[n - seen];
    seen += page.events.length;
  }
  return undefined;
};
