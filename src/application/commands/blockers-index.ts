import { fromRecorded } from '../events/event-serde.js';
import type { EventStore, Position } from '../ports/event-store.js';

const PAGE = 4096;
const FILTER = { streamPrefixes: ['blocks-'], eventTypes: ['UserBlocked', 'UserUnblocked'] } as const;

/**
 * Who blocked a user: the reverse of the `blocks-{userId}` streams, derived on the write side
 * from their events. Each question first reads the block events appended since the last one
 * (on any node), so the answer reflects every block stored before it was asked; the read
 * models, which lag, are not consulted.
 */
export class BlockersIndex {
  private after: Position | undefined;
  private readonly blockers = new Map<string, Set<string>>();
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly store: EventStore) {}

  /** The users who blocked `userId` now, sorted. */
  async blockersOf(userId: string): Promise<readonly string[]> {
    await this.refresh();
    return [...(this.blockers.get(userId) ?? [])].sort();
  }

  /** Reads the block events appended since the last pass (at start-up: the whole log's, so the first announcement does not wait for them). */
  refresh(): Promise<void> {
    // One pass at a time; each question waits for a pass that started after it was asked.
    const pass = this.tail.then(() => this.catchUp());
    this.tail = pass.catch(() => undefined);
    return pass;
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      const page = await this.store.readAll({ ...(this.after === undefined ? {} : { after: this.after }), filter: FILTER, maxCount: PAGE });
      for (const recorded of page) {
        const event = fromRecorded(recorded);
        if (event?.type === 'UserBlocked') {
          const set = this.blockers.get(event.data.blockedId) ?? new Set<string>();
          set.add(event.data.userId);
          this.blockers.set(event.data.blockedId, set);
        } else if (event?.type === 'UserUnblocked') {
          this.blockers.get(event.data.blockedId)?.delete(event.data.userId);
        }
        this.after = recorded.position;
      }
      if (page.length < PAGE) return;
    }
  }
}
