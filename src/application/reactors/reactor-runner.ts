import type { Logger } from 'pino';
import type { EventStore, Position, Subscription } from '../ports/event-store.js';
import { comparePositions, formatPosition } from '../ports/position.js';
import type { ReactorCheckpoints } from '../ports/reactor-checkpoints.js';
import type { Reactor } from './reactor.js';

export interface ReactorRunnerOptions {
  /** This node: the owner of the reactors it runs. */
  readonly owner: string;
  /** How long a claim holds; it is renewed every third of it. */
  readonly leaseMs: number;
  readonly logger: Logger;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Before the first event of any log. */
const LOG_START: Position = { commit: 0n, prepare: 0n };

/**
 * Runs one reactor on whichever node holds its lease: follows the log from the reactor's own
 * checkpoint (its event types only), reacts to each event until the reaction succeeds (retrying
 * with back-off: a follow-up is never skipped), then saves the checkpoint. A node that loses the
 * lease stops at once; the next owner goes on from the checkpoint, so each event is handled by
 * one node, and at worst once more after a crash (reactions are idempotent).
 */
export class ReactorRunner {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private subscription: Subscription | undefined;
  private owned = false;
  /** Last event this node reacted to (or the checkpoint it started from). */
  private position: Position | undefined;

  constructor(
    private readonly reactor: Reactor,
    private readonly store: EventStore,
    private readonly checkpoints: ReactorCheckpoints,
    private readonly o: ReactorRunnerOptions,
  ) {}

  get isOwner(): boolean {
    return this.owned;
  }

  start(): void {
    this.loop = this.run();
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

  private async run(): Promise<void> {
    const renewEvery = Math.max(10, Math.floor(this.o.leaseMs / 3));
    while (!this.stopped) {
      try {
        this.owned = await this.claim();
      } catch (err) {
        this.owned = false;
        this.o.logger.warn({ err, reactor: this.reactor.name }, 'reactor claim failed');
      }
      if (!this.owned) {
        await sleep(renewEvery);
        continue;
      }
      const renewal = setInterval(() => {
        void this.claim().then(
          (still) => {
            if (!still) this.lose('lease taken by another node');
          },
          (err: unknown) => this.o.logger.warn({ err, reactor: this.reactor.name }, 'reactor lease renewal failed'),
        );
      }, renewEvery);
      renewal.unref();
      try {
        await this.follow();
      } catch (err) {
        if (!this.stopped) this.o.logger.error({ err, reactor: this.reactor.name }, 'reactor stopped on a fault: resuming from its checkpoint');
        await sleep(200);
      } finally {
        clearInterval(renewal);
      }
    }
  }

  private lose(why: string): void {
    if (!this.owned) return;
    this.owned = false;
    this.o.logger.warn({ reactor: this.reactor.name, why }, 'reactor handed over');
    void this.subscription?.close();
  }

  private async follow(): Promise<void> {
    const after = this.position;
    const subscription = this.store.subscribeAll({ ...(after === undefined ? {} : { after }), filter: { eventTypes: this.reactor.eventTypes } });
    this.subscription = subscription;
    try {
      for await (const event of subscription) {
        if (this.stopped || !this.owned) return;
        for (let attempt = 1; ; attempt++) {
          try {
            await this.reactor.react(event);
            break;
          } catch (err) {
            if (this.stopped || !this.owned) return;
            this.o.logger.warn({ err, reactor: this.reactor.name, eventId: event.id, attempt }, 'reaction failed: retrying');
            for (const until = Date.now() + Math.min(5000, 50 * 2 ** Math.min(attempt, 7)); Date.now() < until && !this.stopped;) await sleep(20);
          }
        }
        if (!(await this.checkpoints.save(this.reactor.name, this.o.owner, event.position))) return this.lose('checkpoint refused');
        this.position = event.position;
      }
    } finally {
      await subscription.close().catch(() => undefined);
    }
  }

  /** True once every event of the reactor's types up to `head` was reacted to here (or none is owned here). */
  private async caughtUp(head: Position): Promise<boolean> {
    if (!this.owned) return true;
    const next = await this.store.readAll({
      ...(this.position === undefined ? {} : { after: this.position }),
      filter: { eventTypes: this.reactor.eventTypes },
      maxCount: 1,
    });
    const first = next[0];
    return first === undefined || comparePositions(first.position, head) > 0;
  }

  /**
   * A clean stop: reacts to what was stored before it (the close-outs of the last sockets
   * included, within `drainMs`), then gives the lease up so another node takes over at once.
   */
  async stop(drainMs: number): Promise<void> {
    const head = await this.store.headPosition().catch(() => undefined);
    const deadline = Date.now() + drainMs;
    if (head !== undefined) {
      while (Date.now() < deadline && !(await this.caughtUp(head).catch(() => true))) await sleep(20);
    }
    this.stopped = true;
    await this.subscription?.close();
    await this.loop;
    if (this.owned) {
      this.owned = false;
      await this.checkpoints.release(this.reactor.name, this.o.owner).catch((err: unknown) => this.o.logger.warn({ err }, 'reactor release failed'));
    }
    this.o.logger.debug({ reactor: this.reactor.name, position: this.position === undefined ? undefined : formatPosition(this.position) }, 'reactor stopped');
  }
}
