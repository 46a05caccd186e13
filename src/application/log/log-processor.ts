import type { Logger } from 'pino';
import type { PersonalData } from '../erasure/personal-data.js';
import type { EventStore, RecordedEvent, StoredEventText } from '../ports/event-store.js';
import type { AnyLogConsumer, LogConsumer, RawLogConsumer, RunningConsumer } from './consumer.js';
import { ConsumerRun, type ConsumerSource } from './consumer-run.js';
import { LiveFeed } from './live-feed.js';
import { DEFAULT_PAGE_SIZE, pagesOf, textPagesOf, type LogRange } from './log-reader.js';
import { RecentEvents } from './recent-events.js';
import { storedPagesOf } from './stored-pages.js';
import type { Stored } from './stored.js';

export interface LogProcessorOptions {
  /** Live events a consumer may fall behind by before it reads the log instead (default 10,000). */
  readonly queueLimit?: number;
  /** The live tail's latest events kept decoded for `pages` (default 1,000). */
  readonly recentEvents?: number;
}

/**
 * The one way to follow the log. `start` subscribes to the live tail once for the node; each
 * consumer given to `run` catches up from where it resumes, then takes the tail's events (each
 * decoded once for every consumer), with one checkpointing contract, batching, and retry
 * policy. `pages` and `rawPages` are the bounded passes (rebuild, resume, export, audit).
 */
export class LogProcessor {
  private readonly runs = new Set<ConsumerRun<Stored> | ConsumerRun<RecordedEvent>>();
  private feed: LiveFeed | undefined;
  private recent: RecentEvents | undefined;
  private readonly subscribed: Promise<void>;
  private markSubscribed: () => void = () => {};

  constructor(
    private readonly store: EventStore,
    /** Opens personal data where events are decoded; its key cache is this process's. */
    private readonly personal: PersonalData,
    private readonly logger: Logger,
    private readonly options: LogProcessorOptions = {},
  ) {
    this.subscribed = new Promise((resolve) => (this.markSubscribed = resolve));
  }

  /** Subscribes to the live tail from the log's head; consumers started before wait for it. */
  async start(): Promise<void> {
    const head = await this.store.headPosition();
    const recent = (this.recent = new RecentEvents(head, this.options.recentEvents ?? 1000));
    // A user's keys dropped from this node's cache (an erasure run here, or the feed decoding
    // one): what the window holds was opened with them, so passes read the store from here on.
    this.personal.onForget(() => recent.clear());
    this.feed = new LiveFeed(
      this.store,
      this.personal,
      head,
      (recorded, stored) => {
        recent.add(recorded.position, stored);
        for (const run of this.runs) run.offer(recorded, stored);
      },
      this.logger,
    );
    this.feed.start();
    this.markSubscribed();
  }

  /** Runs a consumer: decoded events of its types, or (`raw: true`) every event as stored. */
  run(consumer: AnyLogConsumer): RunningConsumer {
    const options = { queueLimit: this.options.queueLimit ?? 10_000 };
    const run =
      consumer.raw === true
        ? new ConsumerRun(this.rawSource(consumer), this.logger, options, this.subscribed)
        : new ConsumerRun(this.decodedSource(consumer), this.logger, options, this.subscribed);
    this.runs.add(run);
    run.start();
    return run;
  }

  private decodedSource(consumer: LogConsumer): ConsumerSource<Stored> {
    const types = consumer.eventTypes === undefined ? undefined : new Set<string>(consumer.eventTypes);
    const filter = consumer.eventTypes === undefined ? {} : { filter: { eventTypes: consumer.eventTypes } };
    return {
      name: consumer.name,
      batching: consumer.batching,
      resumeAfter: () => consumer.resumeAfter(),
      pages: (range) => storedPagesOf(this.store, this.personal, { ...range, ...filter }),
      pick: (_recorded, stored) => (stored !== undefined && (types === undefined || types.has(stored.event.type)) ? stored : undefined),
      handle: (events, through) => consumer.handle(events, through),
    };
  }

  private rawSource(consumer: RawLogConsumer): ConsumerSource<RecordedEvent> {
    return {
      name: consumer.name,
      batching: consumer.batching,
      resumeAfter: () => consumer.resumeAfter(),
      pages: (range) => pagesOf(this.store, range),
      pick: (recorded) => recorded,
      handle: (events, through) => consumer.handle(events, through),
    };
  }

  /** The live feed's fault, if it cannot follow the log now. */
  get fault(): Error | undefined {
    return this.feed?.error;
  }

  /**
   * A bounded pass over the log, decoded: events of types this code does not know are left out.
   * An unfiltered pass that starts within the live tail's latest events takes them as the feed
   * decoded them, then reads the store past them.
   */
  pages(range: LogRange = {}): ReturnType<typeof storedPagesOf> {
    const recent = this.recent;
    return recent === undefined || range.filter !== undefined ? storedPagesOf(this.store, this.personal, range) : this.recentThenStored(recent, range);
  }

  private async *recentThenStored(recent: RecentEvents, range: LogRange): ReturnType<typeof storedPagesOf> {
    let after = range.after;
    for (;;) {
      // Asked again for each page: the window moves on while the caller works on the last one.
      const page = recent.after(after, range.pageSize ?? DEFAULT_PAGE_SIZE, range.until);
      if (page === undefined || page.through === undefined) break;
      yield { events: page.events, through: page.through };
      after = page.through;
    }
    yield* storedPagesOf(this.store, this.personal, { ...range, ...(after === undefined ? {} : { after }) });
  }

  /** A bounded pass over the log as stored (export, the ledger): nothing decoded. */
  rawPages(range: LogRange = {}): AsyncGenerator<{ readonly events: readonly RecordedEvent[]; readonly through: RecordedEvent['position'] }> {
    return pagesOf(this.store, range);
  }

  /** The same, with data and metadata as the stored JSON text: what the ledger's verify hashes. */
  textPages(range: LogRange = {}): AsyncGenerator<{ readonly events: readonly StoredEventText[]; readonly through: RecordedEvent['position'] }> {
    return textPagesOf(this.store, range);
  }

  /** Stops every consumer, then the feed. */
  async stop(): Promise<void> {
    await Promise.all([...this.runs].map((r) => r.stop()));
    this.runs.clear();
    await this.feed?.stop();
  }
}
