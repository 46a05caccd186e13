import type { RecordedEvent, Subscription } from '../../../application/ports/event-store.js';
import type { CompiledFilter } from './filter.js';

/** What a subscription needs from the store. Positions are the store's integer sequence. */
export interface LogSource {
  /** Highest position known to be committed (local commits, or seen by the poller). */
  readonly knownHead: number;
  /**
   * Matching events after `after`, at most `limit`, read in one snapshot; `scannedTo` is the
   * position up to which the log has been examined (so filtered-out events are not re-read).
   */
  readPage(after: number, filter: CompiledFilter, limit: number): { events: RecordedEvent[]; scannedTo: number };
}

export interface SubscriptionTuning {
  readonly pageSize: number;
  /** Above this many undelivered events, live events are dropped and re-read from the store later. */
  readonly maxBuffered: number;
}

/**
 * Catch-up-then-live subscription. `scanned` is the position up to which every event is either
 * buffered, delivered or filtered out; it only ever advances contiguously, whether from a page
 * read or from a local commit (which covers contiguous positions), so there is neither a gap nor
 * a duplicate at the catch-up/live hand-over: there is no hand-over, only "read after `scanned`"
 * or "take the commit that starts right after `scanned`".
 */
export class SqliteSubscription implements Subscription {
  private buffer: RecordedEvent[] = [];
  private next = 0;
  private scanned: number;
  private closed = false;
  private wake: (() => void) | undefined;
  private readonly iterator: AsyncGenerator<RecordedEvent, void, undefined>;

  constructor(
    private readonly source: LogSource,
    after: number,
    private readonly filter: CompiledFilter,
    private readonly tuning: SubscriptionTuning,
    private readonly onClose: (s: SqliteSubscription) => void,
  ) {
    this.scanned = after;
    this.iterator = this.run();
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return this.iterator;
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.buffer = [];
      this.next = 0;
      this.onClose(this);
      this.notify();
    }
    return Promise.resolve();
  }

  /** A local commit of the contiguous positions first..last (events in position order). */
  offer(events: readonly RecordedEvent[], first: number, last: number): void {
    if (this.closed) return;
    if (this.scanned === first - 1 && this.buffered() < this.tuning.maxBuffered) {
      for (const e of events) if (this.filter.matches(e)) this.buffer.push(e);
      this.scanned = last;
    }
    this.notify();
  }

  /** The log may have grown (local commit or poller): re-check. */
  notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private buffered(): number {
    return this.buffer.length - this.next;
  }

  private take(): RecordedEvent | undefined {
    const e = this.buffer[this.next];
    if (e === undefined) return undefined;
    this.next += 1;
    if (this.next === this.buffer.length) {
      this.buffer = [];
      this.next = 0;
    }
    return e;
  }

  private async *run(): AsyncGenerator<RecordedEvent, void, undefined> {
    try {
      while (!this.closed) {
        const e = this.take();
        if (e !== undefined) {
          yield e;
          continue;
        }
        if (this.scanned < this.source.knownHead) {
          const page = this.source.readPage(this.scanned, this.filter, this.tuning.pageSize);
          const progressed = page.scannedTo > this.scanned;
          for (const ev of page.events) this.buffer.push(ev);
          this.scanned = Math.max(this.scanned, page.scannedTo);
          if (progressed) continue;
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      await this.close();
    }
  }
}
