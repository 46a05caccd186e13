import type { Logger } from 'pino';
import type { AnyDomainEvent } from '../../domain/events.js';
import { fromRecorded } from '../events/event-serde.js';
import type { EventStore, Position, RecordedEvent, Subscription } from '../ports/event-store.js';
import type { PositionedChanges, ReadModelChange, ReadModelStore } from '../ports/read-model.js';
import { PositionTracker } from './position-tracker.js';

export type Projection = (event: AnyDomainEvent, meta: { readonly eventId: string; readonly position: Position }) => readonly ReadModelChange[];

/**
 * Follows the log from the projection's stored checkpoint and applies its changes in batches:
 * while catching up, events are grouped so that one store transaction covers many of them.
 */
export class ProjectionRunner {
  readonly tracker = new PositionTracker();
  private subscription: Subscription | undefined;
  private loop: Promise<void> | undefined;
  private failure: Error | undefined;

  constructor(
    private readonly name: string,
    private readonly projection: Projection,
    private readonly store: EventStore,
    private readonly readModels: ReadModelStore,
    private readonly logger: Logger,
    // Large: a store that writes on a thread of its own (SQLite) keeps the event loop free while
    // a batch commits, so catching up after downtime is bounded by the store, not by commits.
    private readonly maxBatch = 5000,
    private readonly minFlushIntervalMs = 2,
  ) {}

  private lastFlushEnd = 0;
  private flushes = 0;

  get error(): Error | undefined {
    return this.failure;
  }

  private stopped = false;

  async start(): Promise<void> {
    this.stopped = false;
    this.failure = undefined;
    this.loop = this.follow();
    // Serving starts once the runner knows its checkpoint (read-your-writes waits on it).
    await this.firstCheckpoint;
  }

  private firstCheckpoint: Promise<void> = Promise.resolve();

  /**
   * Runs from the stored checkpoint; after a fault (a busy or unreachable store, a dropped
   * subscription) it starts again from the checkpoint with back-off. `error` holds the fault
   * meanwhile, so `/readyz` reports it.
   */
  private async follow(): Promise<void> {
    let ready: () => void = () => {};
    this.firstCheckpoint = new Promise((resolve) => (ready = resolve));
    let failures = 0;
    while (!this.stopped) {
      const flushed = this.flushes;
      try {
        const checkpoint = await this.readModels.checkpoint(this.name);
        ready();
        // The checkpoint of the store being served, even if behind what the tracker said before.
        this.tracker.reset(checkpoint);
        const subscription = this.store.subscribeAll(checkpoint === undefined ? {} : { after: checkpoint });
        this.subscription = subscription;
        await this.consume(subscription);
        if (this.stopped) return;
      } catch (err) {
        ready();
        if (this.stopped) return;
        this.failure = err instanceof Error ? err : new Error(String(err));
        this.logger.error({ err: this.failure, projection: this.name, failures }, 'projection failed: restarting from its checkpoint');
      }
      // The back-off grows with faults in a row: one after progress (a lock another node held
      // too long, say) is retried at once, not after the wait earned by every earlier fault.
      if (this.flushes > flushed) failures = 0;
      await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** failures)));
      failures += 1;
    }
  }

  private async consume(subscription: Subscription): Promise<void> {
    const iterator = subscription[Symbol.asyncIterator]();
    let pending: PositionedChanges[] = [];
    let last: Position | undefined;
    let next = iterator.next();
    for (;;) {
      const result = await next;
      if (result.done === true) break;
      this.collect(result.value, pending);
      last = result.value.position;
      next = iterator.next();
      // Drain whatever is already buffered without waiting, then commit one batch.
      if (pending.length < this.maxBatch && (await isSettled(next))) continue;
      // Under load, commits are spaced: what arrives meanwhile joins this batch. A commit costs
      // the writer far more than an event (on a big file, each one rewrites pages scattered over
      // it), and frames do not wait for it. Reads that wait for the read models do: one that
      // starts waiting ends the spacing, so read-your-writes never pays for it.
      const wait = this.lastFlushEnd + this.minFlushIntervalMs - Date.now();
      if (wait > 0 && pending.length < this.maxBatch && !this.tracker.demanded) {
        await this.spacing(wait);
        if (await isSettled(next)) continue;
      }
      await this.flush(pending, last);
      pending = [];
      this.lastFlushEnd = Date.now();
    }
    if (last !== undefined && pending.length > 0) await this.flush(pending, last);
  }

  /** Resolves after `ms`, or as soon as a reader waits for a position this runner has not reached. */
  private spacing(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        off();
        resolve();
      };
      const timer = setTimeout(done, ms);
      const off = this.tracker.onDemand(done);
    });
  }

  private collect(recorded: RecordedEvent, into: PositionedChanges[]): void {
    const event = fromRecorded(recorded);
    const changes = event === undefined ? [] : this.projection(event, { eventId: recorded.id, position: recorded.position });
    into.push({ position: recorded.position, changes });
  }

  private async flush(batch: readonly PositionedChanges[], last: Position): Promise<void> {
    if (batch.length > 0) await this.readModels.apply(this.name, batch);
    this.flushes += 1;
    this.failure = undefined;
    this.tracker.advance(last);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription?.close();
    await this.loop;
  }
}

/**
 * True when the promise settles within the current turn: microtasks run before setImmediate,
 * so whatever the subscription has already buffered counts as settled and joins the batch.
 */
const isSettled = (p: Promise<unknown>): Promise<boolean> =>
  new Promise((resolve) => {
    const immediate = setImmediate(() => resolve(false));
    p.then(
      () => {
        clearImmediate(immediate);
        resolve(true);
      },
      () => {
        clearImmediate(immediate);
        resolve(true);
      },
    );
  });
