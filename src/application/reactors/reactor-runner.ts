import type { Logger } from 'pino';
import type { LogConsumer, RunningConsumer } from '../log/consumer.js';
import type { LogProcessor } from '../log/log-processor.js';
import { pause } from '../log/retry.js';
import type { EventStore, Position } from '../ports/event-store.js';
import { formatPosition } from '../ports/position.js';
import type { ReactorCheckpoints } from '../ports/reactor-checkpoints.js';
import type { Reactor } from './reactor.js';

export interface ReactorRunnerOptions {
  /** This node: the owner of the reactors it runs. */
  readonly owner: string;
  /** How long a claim holds; it is renewed every third of it. */
  readonly leaseMs: number;
  readonly logger: Logger;
}

/** Before the first event of any log. */
const LOG_START: Position = { commit: 0n, prepare: 0n };

class LeaseLost extends Error {
  override readonly name = 'LeaseLost';
}

/**
 * Runs one reactor on whichever node holds its lease, as a consumer of the log processor: from
 * the reactor's checkpoint, each event of its types reacted to and then checkpointed; a reaction
 * that fails is retried by the processor from the checkpoint (a follow-up is never skipped). A
 * node that loses the lease stops at once; the next owner goes on from the checkpoint, so each
 * event is handled by one node, and at worst once more after a crash (reactions are idempotent).
 */
export class ReactorRunner {
  private stopped = false;
  private owned = false;
  private loop: Promise<void> = Promise.resolve();
  private run: RunningConsumer | undefined;
  private wake: () => void = () => {};
  /** The last checkpoint saved (or claimed) here. */
  private position: Position | undefined;

  constructor(
    private readonly reactor: Reactor,
    private readonly processor: LogProcessor,
    private readonly store: Pick<EventStore, 'headPosition'>,
    private readonly checkpoints: ReactorCheckpoints,
    private readonly o: ReactorRunnerOptions,
  ) {}

  get isOwner(): boolean {
    return this.owned;
  }

  start(): void {
    this.loop = this.hold();
  }

  /** The reactor as a log consumer: each event reacted to, then checkpointed while this node holds the lease. */
  private consumer(): LogConsumer {
    return {
      name: `reactor ${this.reactor.name}`,
      eventTypes: this.reactor.eventTypes,
      resumeAfter: async () => this.position,
      handle: async (events) => {
        for (const stored of events) {
          if (!this.owned) throw new LeaseLost(`${this.reactor.name}: lease lost`);
          await this.reactor.react(stored);
          if (!(await this.checkpoints.save(this.reactor.name, this.o.owner, stored.recorded.position))) {
            this.lose('checkpoint refused');
            throw new LeaseLost(`${this.reactor.name}: checkpoint refused`);
          }
          this.position = stored.recorded.position;
        }
      },
    };
  }

  private async claim(): Promise<boolean> {
    const now = new Date();
    const claim = await this.checkpoints.claim(this.reactor.name, this.o.owner, new Date(now.getTime() + this.o.leaseMs), now);
    if (!claim.owned) return false;
    if (!this.owned) {
      // A reactor seen for the first time starts at the head (history is not reacted to again),
      // and says so in its checkpoint at once: on an empty log that is the start of the log.
      if (claim.checkpoint === undefined) {
        const start = (await this.store.headPosition()) ?? LOG_START;
        await this.checkpoints.save(this.reactor.name, this.o.owner, start);
        this.position = start;
      } else this.position = claim.checkpoint;
    }
    return true;
  }

  /** Claims the lease, runs the consumer while it holds it (renewing it every third of its life), stops it when lost. */
  private async hold(): Promise<void> {
    const renewEvery = Math.max(10, Math.floor(this.o.leaseMs / 3));
    while (!this.stopped) {
      try {
        this.owned = await this.claim();
      } catch (err) {
        this.owned = false;
        this.o.logger.warn({ err, reactor: this.reactor.name }, 'reactor claim failed');
      }
      if (this.owned && !this.stopped) this.run = this.processor.run(this.consumer());
      while (this.owned && !this.stopped) {
        await this.sleep(renewEvery);
        if (this.stopped) break;
        try {
          if (!(await this.claim())) this.lose('lease taken by another node');
        } catch (err) {
          this.o.logger.warn({ err, reactor: this.reactor.name }, 'reactor lease renewal failed');
        }
      }
      await this.run?.stop();
      this.run = undefined;
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
    this.o.logger.warn({ reactor: this.reactor.name, why }, 'reactor handed over');
    this.wake();
  }

  /**
   * A clean stop: reacts to what was stored before it (the close-outs of the last sockets
   * included, within `drainMs`), then gives the lease up so another node takes over at once.
   */
  async stop(drainMs: number): Promise<void> {
    const head = await this.store.headPosition().catch(() => undefined);
    if (head !== undefined && this.run !== undefined) await this.run.tracker.waitFor(head, drainMs);
    this.stopped = true;
    this.wake();
    await this.loop;
    if (this.owned) {
      this.owned = false;
      await this.checkpoints.release(this.reactor.name, this.o.owner).catch((err: unknown) => this.o.logger.warn({ err }, 'reactor release failed'));
    }
    this.o.logger.debug({ reactor: this.reactor.name, position: this.position === undefined ? undefined : formatPosition(this.position) }, 'reactor stopped');
  }
}
