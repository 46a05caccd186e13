import type { Logger } from 'pino';
import { fromRecorded } from '../events/event-serde.js';
import type { EventStore, Position, RecordedEvent, Subscription } from '../ports/event-store.js';
import { formatPosition } from '../ports/position.js';
import { PositionTracker } from '../projections/position-tracker.js';
import { deliveriesFor, profilesNeeded, type Delivery } from './frames.js';
import type { ProfileDirectory } from './profile-directory.js';

export interface DeliverySink {
  deliver(delivery: Delivery): void;
}

/** Turns one stored event into deliveries; shared by the live broadcaster and resumed sockets. */
export const deliveriesOfRecorded = async (recorded: RecordedEvent, profiles: ProfileDirectory): Promise<readonly Delivery[]> => {
  const event = fromRecorded(recorded);
  if (event === undefined) return [];
  const lookup = await profiles.resolve(profilesNeeded(event));
  return deliveriesFor(event, formatPosition(recorded.position), lookup);
};

/**
 * Follows the whole log from where this node started and pushes frames to the local sockets.
 * Every node runs one, so a frame reaches sockets on every node without any other pub/sub.
 */
export class Broadcaster {
  readonly tracker = new PositionTracker();
  private subscription: Subscription | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly profiles: ProfileDirectory,
    private readonly sink: DeliverySink,
    private readonly logger: Logger,
  ) {}

  private stopped = false;

  async start(): Promise<void> {
    const head = await this.store.headPosition();
    if (head !== undefined) this.tracker.advance(head);
    this.loop = this.follow();
  }

  /** Subscribes from the last broadcast position, and again after a dropped subscription (a server restart, a network fault). */
  private async follow(): Promise<void> {
    for (let failures = 0; !this.stopped; ) {
      const after = this.tracker.position;
      const subscription = this.store.subscribeAll(after === undefined ? {} : { after });
      this.subscription = subscription;
      const delivered = await this.consume(subscription);
      if (this.stopped) return;
      failures = delivered ? 0 : failures + 1;
      await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** failures)));
    }
  }

  /** True when the subscription delivered something before it ended. */
  private async consume(subscription: Subscription): Promise<boolean> {
    const start = this.tracker.position;
    try {
      for await (const recorded of subscription) {
        try {
          for (const d of await deliveriesOfRecorded(recorded, this.profiles)) this.sink.deliver(d);
        } catch (err) {
          // One undeliverable event must not stop delivery of the rest of the log.
          this.logger.error({ err, eventId: recorded.id, type: recorded.type }, 'broadcast failed for event');
        }
        this.tracker.advance(recorded.position);
      }
    } catch (err) {
      if (!this.stopped) this.logger.error({ err }, 'broadcaster subscription ended with an error: resubscribing');
    }
    return this.tracker.position !== start;
  }

  get position(): Position | undefined {
    return this.tracker.position;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription?.close();
    await this.loop;
  }
}
