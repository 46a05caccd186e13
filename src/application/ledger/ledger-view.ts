import type { LogProcessor } from '../log/log-processor.js';
import { pause } from '../log/retry.js';
import { parsePosition } from '../ports/position.js';
import type { Lookups } from '../ports/read-model.js';
import { leafEventOf, leafObject, type LeafObject } from './leaf.js';
import type { LedgerStore, StoredCheckpoint } from './ledger-store.js';
import { mayProve } from './proof-access.js';
import { TreeReader } from './tree-reader.js';

/** An inclusion proof as `GET /api/ledger/proof` answers it. */
export interface InclusionProofAnswer {
  readonly index: number;
  readonly size: number;
  readonly leaf: LeafObject;
  /** Base64 hashes, leaf side first (RFC 9162 §2.1.3). */
  readonly hashes: readonly string[];
  /** The signed checkpoint of `size` leaves the proof leads to. */
  readonly checkpoint: string;
}

export type ConsistencyAnswer =
  { readonly ok: true; readonly from: number; readonly to: number; readonly hashes: readonly string[] } | { readonly ok: false; readonly msg: string };

export type ProofAnswer =
  | { readonly ok: true; readonly proof: InclusionProofAnswer }
  /** Unknown, or not the caller's to see: the same answer. */
  | { readonly ok: false; readonly reason: 'not_found' }
  /** In the log, not in a signed checkpoint yet. */
  | { readonly ok: false; readonly reason: 'not_sealed' };

export interface LedgerViewOptions {
  readonly store: LedgerStore;
  readonly log: LogProcessor;
  /** The verifier key string of the signing key. */
  readonly verifierKey: string;
  /** The read models, fresh (they say who is in a chat and who got a notification); only asked for callers' proofs. */
  readonly lookups: () => Promise<Pick<Lookups, 'chat' | 'hasNotification'>>;
  /** How long a proof of an event not sealed yet waits for the next checkpoint. */
  readonly sealWaitMs: number;
}

const base64 = (hashes: readonly Buffer[]): string[] => hashes.map((h) => h.toString('base64'));

/**
 * What every node answers about the ledger, from the ledger store alone (whichever node seals):
 * the latest checkpoint, the verifier key, consistency proofs between signed sizes, and
 * inclusion proofs of the events a caller may see.
 */
export class LedgerView {
  private readonly tree: TreeReader;

  constructor(private readonly o: LedgerViewOptions) {
    this.tree = new TreeReader(o.store);
  }

  get verifierKey(): string {
    return this.o.verifierKey;
  }

  /** The latest signed checkpoint, or undefined before the first seal. */
  latest(): Promise<StoredCheckpoint | undefined> {
    return this.o.store.latestCheckpoint();
  }

  /** A consistency proof between two tree sizes up to the latest checkpoint's. */
  async consistency(from: number, to: number): Promise<ConsistencyAnswer> {
    const size = (await this.latest())?.size ?? 0;
    if (from > to) return { ok: false, msg: 'from must not exceed to' };
    if (to > size) return { ok: false, msg: `to is beyond the latest checkpoint (${size} events)` };
    return { ok: true, from, to, hashes: base64(await this.tree.consistencyProof(from, to)) };
  }

  /** The inclusion proof of an event the caller may see, in the latest checkpoint (waiting for it briefly when the event is not sealed yet). */
  proof(eventId: string, callerId: string): Promise<ProofAnswer> {
    return this.inclusion(eventId, { callerId, waitMs: this.o.sealWaitMs });
  }

  /** The inclusion proof of any event (the operator's `ledger prove`), in the latest checkpoint as it is now. */
  proofOf(eventId: string): Promise<ProofAnswer> {
    return this.inclusion(eventId, { waitMs: 0 });
  }

  private async inclusion(eventId: string, o: { readonly callerId?: string; readonly waitMs: number }): Promise<ProofAnswer> {
    const deadline = Date.now() + o.waitMs;
    // A caller learns of an event from a projection or a frame, which may run ahead of the ledger's consumer.
    const index = await this.within(deadline, () => this.o.store.leafIndex(eventId));
    const stored = index === undefined ? undefined : await this.eventAt(index);
    if (index === undefined || stored === undefined || stored.recorded.id !== eventId) return { ok: false, reason: 'not_found' };
    if (o.callerId !== undefined && !(await mayProve(stored, o.callerId, await this.o.lookups()))) return { ok: false, reason: 'not_found' };
    const checkpoint = await this.within(deadline, async () => {
      const latest = await this.latest();
      return latest !== undefined && latest.size > index ? latest : undefined;
    });
    if (checkpoint === undefined) return { ok: false, reason: 'not_sealed' };
    return {
      ok: true,
      proof: {
        index,
        size: checkpoint.size,
        // The event as the log holds it now: if it was altered, the proof does not verify, which is the point.
        leaf: leafObject(leafEventOf(stored.recorded)),
        hashes: base64(await this.tree.inclusionProof(index, checkpoint.size)),
        checkpoint: checkpoint.note,
      },
    };
  }

  /** The event of leaf `index`, read from the log at the position the ledger keeps for it. */
  private async eventAt(index: number) {
    const [before, leaf] = index === 0 ? [undefined, ...(await this.o.store.leaves(0, 1))] : await this.o.store.leaves(index - 1, 2);
    const until = leaf === undefined ? undefined : parsePosition(leaf.position);
    const after = before === undefined ? undefined : parsePosition(before.position);
    if (until === undefined) return undefined;
    for await (const page of this.o.log.pages({ ...(after === undefined ? {} : { after }), until, pageSize: 1 })) return page.events[0];
    return undefined;
  }

  /** `find`'s first answer, asked again every 50 ms until the deadline. */
  private async within<T>(deadline: number, find: () => Promise<T | undefined>): Promise<T | undefined> {
    for (;;) {
      const found = await find();
      if (found !== undefined || Date.now() >= deadline) return found;
      await pause(50).done;
    }
  }
}
