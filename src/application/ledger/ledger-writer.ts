import type { Logger } from 'pino';
import { ConsumerHalted, type RawLogConsumer, type RunningConsumer } from '../log/consumer.js';
import { LeasedConsumer, type HeldLease } from '../log/leased-consumer.js';
import type { LogProcessor } from '../log/log-processor.js';
import type { EventStore, Position, RecordedEvent } from '../ports/event-store.js';
import { formatPosition, parsePosition } from '../ports/position.js';
import type { ReactorCheckpoints } from '../ports/reactor-checkpoints.js';
import { CanonicalJsonError } from './canonical-json.js';
import { signCheckpoint, type NoteSigner } from './checkpoint-note.js';
import { describeMismatch, mismatchOf, missing } from './leaf-check.js';
import { leafEventOf, leafHash } from './leaf.js';
import type { LedgerLeaf, LedgerStore } from './ledger-store.js';
import { verifyConsistency } from './merkle.js';
import { MerkleLog } from './merkle-log.js';

/** The lease's name in the scheduler store: one node at a time appends and seals. */
export const LEDGER_LEASE = 'ledger';

/** Sealed events read back from the log at each start of the consumer (a cut or rewritten tail shows there). */
const TAIL_CHECK = 1000;

export interface LedgerWriterOptions {
  readonly store: LedgerStore;
  readonly log: LogProcessor;
  readonly events: Pick<EventStore, 'headPosition'>;
  /** The leases of the reactors, shared: the ledger is one more consumer run on one node at a time. */
  readonly leases: ReactorCheckpoints;
  readonly signer: NoteSigner;
  /** The checkpoints' origin line (LEDGER_ORIGIN). */
  readonly origin: string;
  /** A checkpoint at least this often while events arrive (LEDGER_SEAL_INTERVAL_MS). */
  readonly sealIntervalMs: number;
  /** This node, and how long its lease holds. */
  readonly owner: string;
  readonly leaseMs: number;
  readonly logger: Logger;
  readonly now?: () => Date;
}

/**
 * The ledger as a consumer of the log processor, on the node holding its lease: every event as
 * stored becomes a leaf (raw: the data as stored, never decoded or decrypted), leaves and the
 * subtrees they complete are kept in the ledger store, and the tree is sealed (a signed C2SP
 * checkpoint, kept) at least every `sealIntervalMs` while events arrive.
 *
 * It never signs a checkpoint inconsistent with the previous one, and it stops for good (until
 * the node restarts) when the log differs from what it sealed: at each start it reads the last
 * sealed events back from the log, and before each signature it proves the new tree consistent
 * with the last checkpoint. The reason is `fault` (`/readyz`) and in the log.
 */
export class LedgerWriter {
  private readonly leased: LeasedConsumer;
  private tree: MerkleLog | undefined;
  private halt: ConsumerHalted | undefined;
  private sealing: Promise<void> = Promise.resolve();
  private lastSealAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => Date;

  constructor(private readonly o: LedgerWriterOptions) {
    this.now = o.now ?? (() => new Date());
    this.leased = new LeasedConsumer(LEDGER_LEASE, (lease) => this.consumer(lease), o.log, o.events, o.leases, {
      owner: o.owner,
      leaseMs: o.leaseMs,
      logger: o.logger,
    });
  }

  /** Why it stopped sealing for good (the log differs from what it sealed), or undefined. */
  get halted(): ConsumerHalted | undefined {
    return this.halt;
  }

  /** One line for `/readyz` while it does not seal: halted, or its consumer's current fault. */
  get problem(): string | undefined {
    if (this.halt !== undefined) return this.halt.message;
    const error = this.leased.running?.error;
    return error === undefined ? undefined : `ledger cannot append: ${error.message}`;
  }

  get isOwner(): boolean {
    return this.leased.isOwner;
  }

  /** The consumer while this node holds the lease (its tracker says how far the ledger got). */
  get running(): RunningConsumer | undefined {
    return this.leased.running;
  }

  start(): void {
    this.leased.start();
    // A quarter of the interval: a lone event is sealed soon after it arrives, a stream of them once per interval.
    this.timer = setInterval(() => void this.sealDue(), Math.max(10, Math.floor(this.o.sealIntervalMs / 4)));
    this.timer.unref();
  }

  /** Takes what was stored before the stop (within `drainMs`), seals it, then gives the lease up. */
  async stop(drainMs: number): Promise<void> {
    clearInterval(this.timer);
    const head = await this.o.events.headPosition().catch(() => undefined);
    const run = this.leased.running;
    if (head !== undefined && run !== undefined) await run.tracker.waitFor(head, drainMs);
    if (this.leased.isOwner) await this.seal().catch((err: unknown) => this.o.logger.warn({ err }, 'ledger: the last seal failed'));
    await this.leased.stop(0);
  }

  /** Signs a checkpoint now if the tree grew since the last one (or none was signed yet); for tests and the stop. */
  seal(): Promise<void> {
    const run = this.sealing.then(() => this.sealOnce());
    this.sealing = run.catch(() => undefined);
    return run;
  }

  private async sealDue(): Promise<void> {
    if (!this.leased.isOwner || this.tree === undefined || this.halt !== undefined) return;
    if (this.now().getTime() - this.lastSealAt < this.o.sealIntervalMs) return;
    await this.seal().catch((err: unknown) => this.o.logger.warn({ err }, 'ledger: sealing failed; trying again at the next interval'));
  }

  private async sealOnce(): Promise<void> {
    const tree = this.tree;
    if (tree === undefined || this.halt !== undefined) return;
    // Size and root together, from memory: what the store has committed.
    const [size, root] = [tree.size, tree.root];
    const latest = await this.o.store.latestCheckpoint();
    const at = this.now();
    if (latest !== undefined && latest.size === size) {
      this.lastSealAt = at.getTime();
      return;
    }
    if (latest !== undefined) {
      const consistent = latest.size < size && verifyConsistency(latest.size, size, latest.root, root, await tree.consistencyProof(latest.size, size));
      if (!consistent) {
        this.stopSealing(`the tree of ${size} leaves is not consistent with checkpoint ${latest.seq} of ${latest.size} leaves`);
        return;
      }
    }
    const note = signCheckpoint({ origin: this.o.origin, size, root }, this.o.signer);
    await this.o.store.addCheckpoint({ size, root, note, createdAt: at.toISOString() });
    this.lastSealAt = at.getTime();
  }

  private stopSealing(reason: string): ConsumerHalted {
    const halt = new ConsumerHalted(`ledger stopped sealing: ${reason}`);
    if (this.halt === undefined) {
      this.halt = halt;
      this.o.logger.error({ err: halt }, 'ledger stopped sealing: the log differs from what it sealed (run npm run ledger -- verify)');
    }
    return this.halt;
  }

  /** The ledger as a raw consumer, from the last leaf on, once its tail was read back from the log. */
  private async consumer(lease: HeldLease): Promise<RawLogConsumer> {
    const tree = await MerkleLog.open(this.o.store);
    this.tree = tree;
    const spacingMs = Math.min(250, Math.floor(this.o.sealIntervalMs / 4));
    return {
      name: 'ledger',
      raw: true,
      batching: { max: 2000, spacingMs },
      resumeAfter: async () => {
        if (this.halt !== undefined) throw this.halt;
        return this.checkTail();
      },
      handle: async (events, through) => {
        lease.check();
        if (this.halt !== undefined) throw this.halt;
        await tree.append(events.map((e) => this.leafOf(e)));
        await lease.save(through);
        await this.sealDue();
      },
    };
  }

  private leafOf(e: RecordedEvent): LedgerLeaf {
    try {
      return { eventId: e.id, hash: leafHash(leafEventOf(e)), position: formatPosition(e.position) };
    } catch (err) {
      if (err instanceof CanonicalJsonError) throw this.stopSealing(`event ${e.id} at position ${formatPosition(e.position)} has no leaf: ${err.message}`);
      throw err;
    }
  }

  /**
   * Reads the last sealed events back from the log and compares them with their leaves: a log
   * cut, rewound or rewritten at its end shows here, before anything new is sealed on top of it.
   * Where the ledger resumes: after its last leaf.
   */
  private async checkTail(): Promise<Position | undefined> {
    const size = await this.o.store.size();
    if (size === 0) return undefined;
    const from = Math.max(0, size - TAIL_CHECK);
    const window = await this.o.store.leaves(Math.max(0, from - 1), size - from + (from > 0 ? 1 : 0));
    const before = from > 0 ? window[0] : undefined;
    const sealed = from > 0 ? window.slice(1) : window;
    const after = before === undefined ? undefined : parsePosition(before.position);
    if (before !== undefined && after === undefined) throw this.stopSealing(`leaf ${before.index} holds no log position (${before.position})`);
    let i = 0;
    for await (const page of this.o.log.rawPages({ ...(after === undefined ? {} : { after }), pageSize: sealed.length })) {
      for (const event of page.events) {
        const leaf = sealed[i];
        if (leaf === undefined) break;
        const mismatch = mismatchOf(leaf, event, leaf.hash.equals(this.leafOf(event).hash));
        if (mismatch !== undefined) throw this.stopSealing(describeMismatch(mismatch));
        i++;
      }
      if (i >= sealed.length) break;
    }
    const absent = sealed[i];
    if (absent !== undefined) throw this.stopSealing(describeMismatch(missing(absent)));
    const last = sealed[sealed.length - 1];
    const resume = last === undefined ? undefined : parsePosition(last.position);
    if (last === undefined || resume === undefined) throw this.stopSealing(`the last leaf holds no log position`);
    return resume;
  }
}
