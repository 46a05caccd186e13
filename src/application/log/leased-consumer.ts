import type { Logger } from 'pino';
import type { EventStore, Position } from '../ports/event-store.js';
import type { ReactorCheckpoints } from '../ports/reactor-checkpoints.js';
import type { AnyLogConsumer, RunningConsumer } from './consumer.js';
import type { LogProcessor } from './log-processor.js';
import { pause } from './retry.js';

export interface LeaseOptions {
  /** This node: the owner of the leases it holds. */
  readonly owner: string;
  /** How long a claim holds; it is renewed every third of it. */
  readonly leaseMs: number;
  readonly logger: Logger;
}

/** This node no longer holds the lease: the batch stops at once, the next owner goes on. */
export class LeaseLost extends Error {
  override readonly name = 'LeaseLost';
}

/** What a consumer run under a lease may ask of it. */
export interface HeldLease {
  /** The position saved with the lease when this node claimed it; undefined if none was ever saved. */
  readonly checkpoint: Position | undefined;
  /** Throws LeaseLost unless this node still holds the lease. */
  check(): void;
  /** Saves `position` with the lease; throws LeaseLost (and gives the lease up here) when another node took it. */
  save(position: Position): Promise<void>;
}

/**
 * Runs a consumer of the log processor on whichever node holds its lease (the reactors, the
 * ledger): the node claims the lease in the scheduler store (`ReactorCheckpoints`), renews it
 * every third of its life, and runs the consumer only while it holds it; a lost lease stops the
 * consumer at once and the next owner starts its own from where the work was left.
 */
export class LeasedConsumer {
  private stopped = false;
  private owned = false;
  private loop: Promise<void> = Promise.resolve();
  private current: RunningConsumer | undefined;
  private wake: () => void = () => {};

  constructor(
    /** The lease's name in the store. */
    private readonly name: string,
    /** The consumer to run once this node became the owner; called at each such claim. */
    private readonly consumerFor: (lease: HeldLease) => Promise<AnyLogConsumer>,
    private readonly processor: LogProcessor,
    private readonly store: Pick<EventStore, 'headPosition'>,
    private readonly leases: ReactorCheckpoints,
    private readonly o: LeaseOptions,
  ) {}

  get isOwner(): boolean {
    return this.owned;
  }

  /** The consumer while this node runs it. */
  get running(): RunningConsumer | undefined {
    return this.current;
  }

  start(): void {
    this.loop = this.hold();
  }

  private lease(checkpoint: Position | undefined): HeldLease {
    return {
      checkpoint,
      check: () => {
        if (!this.owned) throw new LeaseLost(`${this.name}: lease lost`);
      },
      save: async (position) => {
        if (!this.owned) throw new LeaseLost(`${this.name}: lease lost`);
        if (!(await this.leases.save(this.name, this.o.owner, position))) {
          this.lose('checkpoint refused');
          throw new LeaseLost(`${this.name}: checkpoint refused`);
        }
      },
    };
  }

  /** Takes or extends the lease; the checkpoint saved with it when this claim made this node the owner. */
  private async claim(): Promise<{ owned: boolean; taken?: HeldLease }> {
    const now = new Date();
    const claim = await this.leases.claim(this.name, this.o.owner, new Date(now.getTime() + this.o.leaseMs), now);
    if (!claim.owned) return { owned: false };
    return this.owned ? { owned: true } : { owned: true, taken: this.lease(claim.checkpoint) };
  }

  /** Claims the lease, runs the consumer while it holds it (renewing it every third of its life), stops it when lost. */
  private async hold(): Promise<void> {
    const renewEvery = Math.max(10, Math.floor(this.o.leaseMs / 3));
    while (!this.stopped) {
      try {
        const { owned, taken } = await this.claim();
        this.owned = owned;
        if (taken !== undefined && !this.stopped) this.current = this.processor.run(await this.consumerFor(taken));
      } catch (err) {
        this.owned = false;
        this.o.logger.warn({ err, lease: this.name }, 'lease claim failed');
      }
      while (this.owned && !this.stopped) {
        await this.sleep(renewEvery);
        if (this.stopped) break;
        try {
          if (!(await this.claim()).owned) this.lose('lease taken by another node');
        } catch (err) {
          this.o.logger.warn({ err, lease: this.name }, 'lease renewal failed');
        }
      }
      await this.current?.stop();
      this.current = undefined;
      if (!this.stopped) await this.sleep(renewEvery);
    }
  }

  private async sleep(ms: number): Promise<void> {
    const p = pause(ms);
    this.wake = p.cancel;
    await p.done;
  }

  private lose(why: string): void {
    if (!this.owned) return;
    this.owned = false;
    this.o.logger.warn({ lease: this.name, why }, 'lease handed over');
    this.wake();
  }

  /**
   * A clean stop: lets the consumer handle what was stored before it (within `drainMs`), then
   * gives the lease up so that another node takes over at once.
   */
  async stop(drainMs: number): Promise<void> {
    const head = await this.store.headPosition().catch(() => undefined);
    if (head !== undefined && this.current !== undefined) await this.current.tracker.waitFor(head, drainMs);
    this.stopped = true;
    this.wake();
    await this.loop;
    if (this.owned) {
      this.owned = false;
      await this.leases.release(this.name, this.o.owner).catch((err: unknown) => this.o.logger.warn({ err, lease: this.name }, 'lease release failed'));
    }
  }
}
