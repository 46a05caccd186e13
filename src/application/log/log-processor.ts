import type { Logger } from 'pino';
import type { PersonalData } from '../erasure/personal-data.js';
import type { EventStore, RecordedEvent } from '../ports/event-store.js';
import type { LogConsumer, RunningConsumer } from './consumer.js';
import { ConsumerRun } from './consumer-run.js';
import { LiveFeed } from './live-feed.js';
import { pagesOf, storedPagesOf, type LogRange } from './log-reader.js';

export interface LogProcessorOptions {
  /** Live events a consumer may fall behind by before it reads the log instead (default 10,000). */
  readonly queueLimit?: number;
}

/**
 * The one way to follow the log. `start` subscribes to the live tail once for the node; each
 * consumer given to `run` catches up from where it resumes, then takes the tail's events (each
 * decoded once for every consumer), with one checkpointing contract, batching, and retry
 * policy. `pages` and `rawPages` are the bounded passes (rebuild, resume, export, audit).
 */
export class LogProcessor {
  private readonly runs = new Set<ConsumerRun>();
  private feed: LiveFeed | undefined;
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
    this.feed = new LiveFeed(
      this.store,
      this.personal,
      head,
      (position, stored) => {
        for (const run of this.runs) run.offer(position, stored);
      },
      this.logger,
    );
    this.feed.start();
    this.markSubscribed();
  }

  run(consumer: LogConsumer): RunningConsumer {
    const run = new ConsumerRun(consumer, this.store, this.personal, this.logger, { queueLimit: this.options.queueLimit ?? 10_000 }, this.subscribed);
    this.runs.add(run);
    run.start();
    return run;
  }

  /** The live feed's fault, if it cannot follow the log now. */
  get fault(): Error | undefined {
    return this.feed?.error;
  }

  /** A bounded pass over the log, decoded: events of types this code does not know are left out. */
  pages(range: LogRange = {}): ReturnType<typeof storedPagesOf> {
    return storedPagesOf(this.store, this.personal, range);
  }

  /** A bounded pass over the log as stored (export, the ledger): nothing decoded. */
  rawPages(range: LogRange = {}): AsyncGenerator<{ readonly events: readonly RecordedEvent[]; readonly through: RecordedEvent['position'] }> {
    return pagesOf(this.store, range);
  }

  /** Stops every consumer, then the feed. */
  async stop(): Promise<void> {
    await Promise.all([...this.runs].map((r) => r.stop()));
    this.runs.clear();
    await this.feed?.stop();
  }
}
