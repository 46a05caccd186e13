import type { Logger } from 'pino';
import { BlockGraph } from '../blocks/block-graph.js';
import { deliveriesOf, profilesOf } from '../features.js';
import type { LogConsumer, RunningConsumer } from '../log/consumer.js';
import type { LogProcessor } from '../log/log-processor.js';
import type { PositionTracker } from '../log/position-tracker.js';
import type { Stored } from '../log/stored.js';
import type { EventStore, Position } from '../ports/event-store.js';
import { formatPosition } from '../ports/position.js';
import type { PresenceChange, PresenceGraph } from '../presence/presence-graph.js';
import type { ProfileDirectory } from '../users/profile-directory.js';
import type { BlockedView, Delivery, PresenceAudience, ProfileView } from './delivery.js';
import { withFramePositions } from './frame-position.js';

export interface DeliverySink {
  deliver(delivery: Delivery): void;
  /** How groups' views of presence changed with the event just delivered (batched sockets). */
  presenceChanged(changes: readonly PresenceChange[]): void;
}

/** What frame rules read besides the event: presence routing and who blocked whom. */
export interface FrameViews {
  readonly audience: PresenceAudience;
  readonly blocked: BlockedView;
}

/** One stored event's deliveries, with the profiles they showed: the live broadcaster's and a resumed socket's, made alike from `views`. */
export const deliveriesOfStored = async (
  stored: Stored,
  profiles: ProfileDirectory,
  views: FrameViews,
): Promise<{ readonly deliveries: readonly Delivery[]; readonly profile: (userId: string) => ProfileView }> => {
  const profile = await profiles.resolve(profilesOf(stored.event));
  const at = stored.recorded.position;
  const context = { position: formatPosition(at), profile, presenceAudience: views.audience, blocked: views.blocked, erased: stored.erased };
  return { deliveries: withFramePositions(deliveriesOf(stored.event, context), at), profile };
};

/** The pages of `history`, each event handed to `take` on the way. */
async function* tapped<P extends { readonly events: readonly Stored[] }>(history: AsyncIterable<P>, take: (stored: Stored) => void): AsyncIterable<P> {
  for await (const page of history) {
    for (const stored of page.events) take(stored);
    yield page;
  }
}

/**
 * Turns the log into frames for this node's sockets, as a consumer of the log processor: every
 * node runs one, so a frame reaches sockets on every node without any other pub/sub. It starts at
 * the log's head (the presence graph first loads what came before), and moves past an event only
 * once its frames were handed to the sockets: after a fault (a profile read that failed) the
 * processor starts it again at that event, so no socket misses a frame.
 */
export class Broadcaster {
  private position: Position | undefined;
  private started = false;
  private readonly run: RunningConsumer;

  constructor(
    private readonly store: Pick<EventStore, 'headPosition'>,
    private readonly processor: LogProcessor,
    private readonly profiles: ProfileDirectory,
    private readonly sink: DeliverySink,
    /** Who is online and who sees whom: loaded at start, then kept here in log order. */
    readonly presence: PresenceGraph,
    private readonly logger: Logger,
    /** Who blocked whom, for `block_update`: loaded and kept alike. */
    readonly blocks: BlockGraph,
  ) {
    this.run = processor.run(this.consumer());
  }

  private consumer(): LogConsumer {
    return {
      name: 'broadcaster',
      resumeAfter: async () => {
        if (!this.started) {
          this.position = await this.store.headPosition();
          if (this.position !== undefined) {
            const eventTypes = [...new Set([...this.presence.eventTypes, ...BlockGraph.eventTypes])];
            const history = tapped(this.processor.pages({ until: this.position, filter: { eventTypes } }), (stored) =>
              this.blocks.apply(stored.recorded.position, stored.event),
            );
            await this.presence.load(history, this.position, (ids) => this.profiles.resolve(ids));
          }
          this.started = true;
          this.logger.debug({ position: this.position === undefined ? undefined : formatPosition(this.position) }, 'broadcaster starts');
        }
        return this.position;
      },
      handle: async (events) => {
        for (const stored of events) {
          const { deliveries, profile } = await deliveriesOfStored(stored, this.profiles, { audience: this.presence.audienceOf, blocked: this.blocks.blocked });
          // From here to the next await: the graphs, the frames and the batched views move together.
          const changes = this.presence.apply(stored.recorded.position, stored.event, profile);
          this.blocks.apply(stored.recorded.position, stored.event);
          for (const d of deliveries) this.sink.deliver(d);
          if (changes.length > 0) this.sink.presenceChanged(changes);
          this.position = stored.recorded.position;
        }
      },
    };
  }

  /** Resolves once the presence graph is loaded and the broadcaster stands at the head it started from. */
  ready(): Promise<void> {
    return this.run.started;
  }

  /** How far frames were handed to the sockets. */
  get tracker(): PositionTracker {
    return this.run.tracker;
  }

  /** The fault that keeps the broadcaster from advancing, until it advances again (`/readyz`). */
  get fault(): Error | undefined {
    return this.run.error;
  }

  async stop(): Promise<void> {
    await this.run.stop();
  }
}
