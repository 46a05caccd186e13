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
    private readonly maxBatch = 500,
  ) {}

  get error(): Error | undefined {
    return this.failure;
  }

  async start(): Promise<void> {
    this.failure = undefined;
    const checkpoint = await this.readModels.checkpoint(this.name);
    if (checkpoint !== undefined) this.tracker.advance(checkpoint);
    const subscription = this.store.subscribeAll(checkpoint === undefined ? {} : { after: checkpoint });
    this.subscription = subscription;
    this.loop = this.consume(subscription).catch((err: unknown) => {
      this.failure = err instanceof Error ? err : new Error(String(err));
      this.logger.error({ err: this.failure, projection: this.name }, 'projection stopped');
    });
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
      const flushNow = pending.length >= this.maxBatch || !(await isSettled(next));
      if (flushNow && last !== undefined) {
        await this.flush(pending, last);
        pending = [];
      }
    }
    if (last !== undefined && pending.length > 0) await this.flush(pending, last);
  }

  private collect(recorded: RecordedEvent, into: PositionedChanges[]): void {
    const event = fromRecorded(recorded);
    const changes = event === undefined ? [] : this.projection(event, { eventId: recorded.id, position: recorded.position });
    into.push({ position: recorded.position, changes });
  }

  private async flush(batch: readonly PositionedChanges[], last: Position): Promise<void> {
    if (batch.length > 0) await this.readModels.apply(this.name, batch);
    this.tracker.advance(last);
  }

  async stop(): Promise<void> {
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
