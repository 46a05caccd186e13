import type { Logger } from 'pino';
import { fromRecorded } from '../events/event-serde.js';
import type { EventStore, Position, RecordedEvent, Subscription } from '../ports/event-store.js';
import { formatPosition } from '../ports/position.js';
import { PositionTracker } from '../projections/position-tracker.js';
import type { AnyDomainEvent } from '../../domain/events.js';
import { deliveriesFor, profilesNeeded, withFramePositions, type Delivery, type PresenceAudience, type ProfileView } from './frames.js';
import type { PresenceChange, PresenceGraph } from './presence-graph.js';
import type { ProfileDirectory } from './profile-directory.js';

export interface DeliverySink {
  deliver(delivery: Delivery): void;
  /** How groups' views of presence changed with the event just delivered (batched sockets). */
  presenceChanged(changes: readonly PresenceChange[]): void;
}

interface ResolvedEvent {
  readonly event: AnyDomainEvent;
  readonly profile: (userId: string) => ProfileView;
  readonly deliveries: readonly Delivery[];
}

const resolveRecorded = async (recorded: RecordedEvent, profiles: ProfileDirectory, audience: PresenceAudience): Promise<ResolvedEvent | undefined> => {
  const event = fromRecorded(recorded);
  if (event === undefined) return undefined;
  const profile = await profiles.resolve(profilesNeeded(event));
  return { event, profile, deliveries: withFramePositions(deliveriesFor(event, formatPosition(recorded.position), profile, audience), recorded.position) };
};

/** Turns one stored event into deliveries; shared by the live broadcaster and resumed sockets (one routing, `audience`). */
export const deliveriesOfRecorded = async (recorded: RecordedEvent, profiles: ProfileDirectory, audience: PresenceAudience): Promise<readonly Delivery[]> =>
  (await resolveRecorded(recorded, profiles, audience))?.deliveries ?? [];

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
    /** Who is online and who sees whom: loaded at start, then kept here in log order. */
    readonly presence: PresenceGraph,
  ) {}

  private stopped = false;
  private lastFault: Error | undefined;

  async start(): Promise<void> {
    const head = await this.store.headPosition();
    await this.presence.load(this.store, head, (ids) => this.profiles.resolve(ids));
    if (head !== undefined) this.tracker.advance(head);
    this.loop = this.follow();
  }

  /** Subscribes from the last broadcast position, and again after a dropped subscription or a fault (a server restart, a network fault, a store read that failed). */
  private async follow(): Promise<void> {
    for (let failures = 0; !this.stopped;) {
      const after = this.tracker.position;
      const subscription = this.store.subscribeAll(after === undefined ? {} : { after });
      this.subscription = subscription;
      const delivered = await this.consume(subscription);
      if (this.stopped) return;
      failures = delivered ? 0 : failures + 1;
      await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** failures)));
    }
  }

  /**
   * True when the subscription delivered something before it ended. An event whose frames cannot
   * be built (a profile read failed) ends the pass without advancing: the next pass starts again
   * at that event, so no socket ever misses its frames.
   */
  private async consume(subscription: Subscription): Promise<boolean> {
    const start = this.tracker.position;
    try {
      for await (const recorded of subscription) {
        const resolved = await resolveRecorded(recorded, this.profiles, this.presence.audienceOf);
        // From here to the next await: the graph, the frames and the batched views move together.
        const changes = resolved === undefined ? [] : this.presence.apply(recorded.position, resolved.event, resolved.profile);
        for (const d of resolved?.deliveries ?? []) this.sink.deliver(d);
        if (changes.length > 0) this.sink.presenceChanged(changes);
        this.tracker.advance(recorded.position);
        this.lastFault = undefined;
      }
    } catch (err) {
      if (!this.stopped) {
        this.lastFault = err instanceof Error ? err : new Error(String(err));
        this.logger.error(
          { err, position: this.tracker.position === undefined ? undefined : formatPosition(this.tracker.position) },
          'broadcaster stopped on a fault: retrying from its position',
        );
      }
    } finally {
      await subscription.close().catch(() => undefined);
    }
    return this.tracker.position !== start;
  }

  /** The fault that keeps the broadcaster from advancing, until it advances again (`/readyz`). */
  get fault(): Error | undefined {
    return this.lastFault;
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
