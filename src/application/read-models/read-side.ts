import type { PositionTracker } from '../log/position-tracker.js';
import type { Position } from '../ports/event-store.js';
import type { ReadModelStore } from '../ports/read-model.js';

/** The read side did not reach the log's head in time: the answer would be stale, so there is none (503 / `unavailable`). */
export class ReadSideUnavailable extends Error {
  override readonly name = 'ReadSideUnavailable';
}

/**
 * The read models this node serves: the current generation (a rebuild may switch it) and how
 * far its projection has got. Every read goes through `fresh`, which waits (bounded) until they
 * include what was stored before the read was asked: reads never serve older data, and a lookup
 * never answers "not found" for something already stored.
 */
export class ReadSide {
  private tracker: PositionTracker | undefined;

  constructor(
    private store: ReadModelStore,
    private readonly head: () => Promise<Position | undefined>,
    private readonly timeoutMs: number,
  ) {}

  get current(): ReadModelStore {
    return this.store;
  }

  /** The projection's progress, once it runs: what `fresh` waits on. */
  follow(tracker: PositionTracker): void {
    this.tracker = tracker;
  }

  /** The read models once they include `position`, or the log's head as it is now; ReadSideUnavailable past the bound. */
  async fresh(position?: Position): Promise<ReadModelStore> {
    const target = position ?? (await this.head());
    if (target !== undefined && !(await this.tracker?.waitFor(target, this.timeoutMs)))
      throw new ReadSideUnavailable('The read models are behind the log: retry');
    return this.store;
  }

  /** Serves `next` from now on; returns the previous store for the caller to close. */
  swap(next: ReadModelStore): ReadModelStore {
    const previous = this.store;
    this.store = next;
    return previous;
  }
}
