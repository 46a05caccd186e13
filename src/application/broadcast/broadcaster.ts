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

  async start(): Promise<void> {
    const head = await this.store.headPosition();
    if (head !== undefined) this.tracker.advance(head);
    const subscription = this.store.subscribeAll(head === undefined ? {} : { after: head });
    this.subscription = subscription;
    this.loop = this.consume(subscription);
  }

  private async consume(subscription: Subscription): Promise<void> {
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
      this.logger.error({ err }, 'broadcaster subscription ended with an error');
    }
  }

  get position(): Position | undefined {
    return this.tracker.position;
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
    await this.loop;
  }
}
