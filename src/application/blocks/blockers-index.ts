import type { EventOfType } from '../../domain/events.js';
import type { LogConsumer } from '../log/consumer.js';
import type { PositionTracker } from '../log/position-tracker.js';
import type { Position } from '../ports/event-store.js';
import { ReadSideUnavailable } from '../read-models/read-side.js';

/**
 * Who blocked a user: the reverse of the `blocks-{userId}` streams, derived on the write side
 * from their events as the log processor hands them over (on any node). A question first waits
 * until the index has taken every event stored before it was asked, so the answer reflects every
 * block stored by then; the read models, which lag, are not consulted.
 */
export class BlockersIndex {
  private readonly blockers = new Map<string, Set<string>>();
  private position: Position | undefined;
  private tracker: PositionTracker | undefined;

  constructor(
    private readonly head: () => Promise<Position | undefined>,
    private readonly timeoutMs: number,
  ) {}

  /** Its consumer on the log processor: every block event from the start of the log. */
  readonly consumer: LogConsumer = {
    name: 'blockers-index',
    eventTypes: ['UserBlocked', 'UserUnblocked'],
    resumeAfter: async () => this.position,
    handle: async (events, through) => {
      for (const { event } of events) if (event.type === 'UserBlocked' || event.type === 'UserUnblocked') this.apply(event);
      this.position = through;
    },
  };

  /** Where the index stands, once its consumer runs. */
  follow(tracker: PositionTracker): void {
    this.tracker = tracker;
  }

  /** The users who blocked `userId` now, sorted. */
  async blockersOf(userId: string): Promise<readonly string[]> {
    const head = await this.head();
    if (head !== undefined && !(await this.tracker?.waitFor(head, this.timeoutMs))) throw new ReadSideUnavailable('The block index is behind the log: retry');
    return [...(this.blockers.get(userId) ?? [])].sort();
  }

  private apply(event: EventOfType<'UserBlocked' | 'UserUnblocked'>): void {
    if (event.type === 'UserBlocked') {
      const set = this.blockers.get(event.data.blockedId) ?? new Set<string>();
      set.add(event.data.userId);
      this.blockers.set(event.data.blockedId, set);
    } else this.blockers.get(event.data.blockedId)?.delete(event.data.userId);
  }
}
