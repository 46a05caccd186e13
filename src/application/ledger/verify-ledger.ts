import { openCheckpoint, type NoteVerifier } from './checkpoint-note.js';
import { describeMismatch, type LeafMismatch } from './leaf-check.js';
import type { LedgerStore, StoredCheckpoint } from './ledger-store.js';
import { EMPTY_ROOT, foldRight, hashChildren } from './merkle.js';
import { planSlices, type SliceResult, type SubtreeNode, type VerifySlice } from './verify-slices.js';

/** A root the log must give at a tree size: a kept checkpoint, or one handed over (`--checkpoint`). */
interface Target {
  readonly size: number;
  readonly root: Buffer;
  readonly name: string;
}

export interface VerifyOptions {
  readonly store: Pick<LedgerStore, 'checkpoints' | 'size' | 'leaves'>;
  readonly verifier: NoteVerifier;
  readonly origin: string;
  /** A checkpoint kept elsewhere: the log must extend it. */
  readonly external?: { readonly note: string; readonly name: string };
  /** Leaves per slice, a power of two. */
  readonly span: number;
  /** Checks the slices (on threads, or here), yielding their results in slice order. */
  readonly run: (slices: readonly VerifySlice[]) => AsyncIterable<SliceResult>;
}

export interface VerifyReport {
  readonly ok: boolean;
  /** The one-line answer: the first bad event (position and id), or the first problem, or a summary. */
  readonly line: string;
  readonly events: number;
  readonly sealed: number;
  readonly checkpoints: number;
  readonly mismatch: LeafMismatch | undefined;
}

const PAGE = 1000;

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

/** Every kept checkpoint, its signature and its columns checked; the first problem, if any. */
const keptCheckpoints = async (o: VerifyOptions): Promise<{ targets: Target[]; latest: StoredCheckpoint | undefined; problem: string | undefined }> => {
  const targets: Target[] = [];
  let latest: StoredCheckpoint | undefined;
  let problem: string | undefined;
  for (let from = 0; ; from += PAGE) {
    const page = await o.store.checkpoints(from, PAGE);
    for (const kept of page) {
      const name = `checkpoint ${kept.seq} (${kept.size} events, signed ${kept.createdAt})`;
      const opened = openCheckpoint(kept.note, o.verifier, o.origin);
      if (!opened.ok) problem ??= `${name}: ${opened.reason}`;
      else if (opened.value.size !== kept.size || !opened.value.root.equals(kept.root))
        problem ??= `${name}: its note does not say the size and root kept with it`;
      if (latest !== undefined && kept.size < latest.size) problem ??= `${name}: smaller than checkpoint ${latest.seq} (${latest.size} events) before it`;
      targets.push({ size: kept.size, root: opened.ok ? opened.value.root : kept.root, name });
      latest = kept;
    }
    if (page.length < PAGE) return { targets, latest, problem };
  }
};

/** The left part of the tree, from whole slices: their subtrees merged as they come (a binary counter of nodes). */
class Prefix {
  readonly edge: { level: number; hash: Buffer }[] = [];
  size = 0;

  add(nodes: readonly SubtreeNode[], events: number): void {
    for (const n of nodes) {
      let node: { level: number; hash: Buffer } = { level: n.level, hash: Buffer.from(n.hash) };
      for (let top = this.edge.at(-1); top !== undefined && top.level === node.level; top = this.edge.at(-1)) {
        this.edge.pop();
        node = { level: node.level + 1, hash: hashChildren(top.hash, node.hash) };
      }
      this.edge.push(node);
    }
    this.size += events;
  }

  /** The root of the tree of this prefix followed by a slice's edge. */
  rootWith(tail: readonly SubtreeNode[]): Buffer {
    const hashes = [...this.edge.map((n) => n.hash), ...tail.map((n) => Buffer.from(n.hash))];
    return hashes.length === 0 ? EMPTY_ROOT : foldRight(hashes);
  }
}

/**
 * What `ledger verify` concludes: the log's leaves recomputed (by the slices) and compared with
 * the ledger's, every kept checkpoint's signature checked and its root compared with the tree the
 * log gives at its size (so the checkpoints are consistent with the log and with each other),
 * and a checkpoint kept elsewhere, when given, likewise.
 */
export const verifyLedger = async (o: VerifyOptions): Promise<VerifyReport> => {
  const sealed = await o.store.size();
  const kept = await keptCheckpoints(o);
  const problems: string[] = kept.problem === undefined ? [] : [kept.problem];
  const targets = [...kept.targets];
  let external: { readonly name: string; readonly size: number } | undefined;
  if (o.external !== undefined) {
    const opened = openCheckpoint(o.external.note, o.verifier, o.origin);
    if (!opened.ok) problems.push(`${o.external.name}: ${opened.reason}`);
    else {
      external = { name: o.external.name, size: opened.value.size };
      targets.push({ size: opened.value.size, root: opened.value.root, name: `${o.external.name} (${opened.value.size} events)` });
    }
  }
  const checkRoot = (size: number, root: Buffer): void => {
    for (const t of targets)
      if (t.size === size && !t.root.equals(root)) problems.push(`${t.name}: the log's first ${size} events give root ${b64(root)}, not its ${b64(t.root)}`);
  };
  checkRoot(0, EMPTY_ROOT);
  const sizes = [...new Set(targets.map((t) => t.size).filter((s) => s > 0))].sort((a, b) => a - b);
  const slices = await planSlices(o.store, sealed, o.span, sizes);

  const prefix = new Prefix();
  const reached = new Set<number>();
  let mismatch: LeafMismatch | undefined;
  let corrupt: string | undefined;
  for await (const slice of o.run(slices)) {
    mismatch ??= slice.mismatch;
    corrupt ??= slice.corrupt;
    // Past a slice that did not hold its span of events the subtrees no longer line up; that slice's mismatch says why.
    if (prefix.size === slice.start)
      for (const { size, edge } of slice.at) {
        checkRoot(size, prefix.rootWith(edge));
        reached.add(size);
      }
    prefix.add(slice.edge, slice.events);
  }
  const events = prefix.size;
  for (const t of targets) if (t.size > events) problems.push(`${t.name}: the log holds only ${events} events`);

  const report = { events, sealed, checkpoints: kept.targets.length, mismatch };
  if (mismatch !== undefined) return { ...report, ok: false, line: describeMismatch(mismatch) };
  const [problem] = corrupt === undefined ? problems : [corrupt];
  if (problem !== undefined) return { ...report, ok: false, line: problem };
  const unchecked = sizes.filter((s) => s <= events && !reached.has(s));
  if (unchecked.length > 0) return { ...report, ok: false, line: `checkpoints of ${unchecked.join(', ')} events could not be checked against the log` };
  const latest = kept.latest === undefined ? 'no checkpoint yet' : `the latest of ${kept.latest.size} events, root ${b64(kept.latest.root)}`;
  const unsealed = events > sealed ? `; ${events - sealed} events not sealed yet` : '';
  const elsewhere = external === undefined ? '' : `; consistent with ${external.name} (${external.size} events)`;
  return {
    ...report,
    ok: true,
    line: `ok: ${events} events match the ledger's ${sealed} leaves and ${kept.targets.length} signed checkpoints (${latest})${unsealed}${elsewhere}`,
  };
};
