import type { Logger } from 'pino';
import type { Position, RecordedEvent } from '../ports/event-store.js';
import { comparePositions } from '../ports/position.js';
import { ConsumerHalted, type ConsumerState, type RunningConsumer } from './consumer.js';
import type { LogRange } from './log-reader.js';
import { PositionTracker } from './position-tracker.js';
import { pause, retryDelayMs } from './retry.js';
import type { Stored } from './stored.js';

/** A live event waiting for its consumer; `item` undefined stands for events it does not take (coalesced). */
interface Queued<T> {
  position: Position;
  readonly item: T | undefined;
}

/**
 * How one consumer takes the log: decoded events of its types, or every event as stored. The
 * processor builds it (log-processor.ts); the run below is the same for both.
 */
export interface ConsumerSource<T> {
  readonly name: string;
  resumeAfter(): Promise<Position | undefined>;
  readonly batching: { readonly max: number; readonly spacingMs?: number } | undefined;
  /** Pages of the log from `range.after` to its head, as this consumer takes them. */
  pages(range: LogRange): AsyncGenerator<{ readonly events: readonly T[]; readonly through: Position }>;
  /** What this consumer takes of a live event; undefined when none. */
  pick(recorded: RecordedEvent, stored: Stored | undefined): T | undefined;
  handle(events: readonly T[], through: Position): Promise<void>;
}

export interface RunOptions {
  /** Live events a consumer may fall behind by before it drops them and reads the log instead. */
  readonly queueLimit: number;
}

/**
 * One consumer's life on the processor: from where it resumes, pages of the log up to the head
 * (catching up), then the live feed's events from its queue; back to the log whenever it falls
 * too far behind the feed; started again from `resumeAfter()` after a fault, with back-off.
 */
export class ConsumerRun<T> implements RunningConsumer {
  readonly tracker = new PositionTracker();
  private queue: Queued<T>[] = [];
  private overflowed = false;
  private stopped = true;
  private loop: Promise<void> = Promise.resolve();
  /** Ends a wait for the next live event. */
  private wake: (() => void) | undefined;
  /** Ends the spacing: someone waits for this consumer, or it stops. */
  private interrupt: (() => void) | undefined;
  /** Ends a back-off: only a stop does. */
  private cancelBackoff: (() => void) | undefined;
  private failure: Error | undefined;
  private current: ConsumerState = 'stopped';
  private delivered = 0;
  private lastHandledAt = 0;
  private readonly max: number;
  private markStarted: () => void = () => {};
  readonly started = new Promise<void>((resolve) => (this.markStarted = resolve));

  constructor(
    private readonly consumer: ConsumerSource<T>,
    private readonly logger: Logger,
    private readonly options: RunOptions,
    /** Resolves once the live feed is subscribed: a catch-up that ended before it would leave a gap. */
    private readonly feedReady: Promise<void>,
  ) {
    this.max = consumer.batching?.max ?? 1000;
    this.tracker.onDemand(() => this.interrupt?.());
  }

  get state(): ConsumerState {
    return this.current;
  }

  get error(): Error | undefined {
    return this.failure;
  }

  start(): void {
    this.stopped = false;
    this.loop = this.feedReady.then(() => this.run());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.current = 'stopped';
    this.wake?.();
    this.interrupt?.();
    this.cancelBackoff?.();
    await this.loop;
  }

  async restart(): Promise<void> {
    await this.stop();
    this.start();
  }

  /** From the live feed, in log order: every event, so that a consumer of some types still moves past the others. */
  offer(recorded: RecordedEvent, stored: Stored | undefined): void {
    if (this.stopped) return;
    const position = recorded.position;
    const wanted = this.consumer.pick(recorded, stored);
    const last = this.queue[this.queue.length - 1];
    if (wanted === undefined && last !== undefined && last.item === undefined) last.position = position;
    else this.queue.push({ position, item: wanted });
    if (this.queue.length > this.options.queueLimit) {
      this.queue = [];
      this.overflowed = true;
    }
    this.wake?.();
  }

  private async run(): Promise<void> {
    for (let faults = 0; !this.stopped;) {
      const progress = this.delivered;
      try {
        this.queue = [];
        this.overflowed = false;
        let position = await this.consumer.resumeAfter();
        this.tracker.reset(position);
        this.markStarted();
        while (!this.stopped) {
          this.current = 'catching_up';
          position = await this.catchUp(position);
          if (this.stopped) break;
          this.current = 'live';
          position = await this.follow(position);
        }
        return;
      } catch (err) {
        this.markStarted();
        if (this.stopped) return;
        this.failure = err instanceof Error ? err : new Error(String(err));
        if (err instanceof ConsumerHalted) {
          this.current = 'halted';
          this.logger.error({ err, consumer: this.consumer.name }, 'log consumer halted: it stays stopped until the node restarts');
          return;
        }
        this.current = 'failed';
        if (this.delivered > progress) faults = 0;
        this.logger.error({ err: this.failure, consumer: this.consumer.name, faults }, 'log consumer failed: starting it again from where it resumes');
        const wait = pause(retryDelayMs(faults));
        this.cancelBackoff = wait.cancel;
        await wait.done;
        faults += 1;
      }
    }
  }

  /** Pages of the log, up to its head as last read (and past whatever live events were dropped). */
  private async catchUp(from: Position | undefined): Promise<Position | undefined> {
    let position = from;
    const range = { ...(position === undefined ? {} : { after: position }), pageSize: this.max };
    for await (const page of this.consumer.pages(range)) {
      if (this.stopped) return position;
      position = await this.deliver(page.events, page.through);
    }
    return position;
  }

  /** The live feed's events, until it stops or falls so far behind that it must read the log again. */
  private async follow(from: Position | undefined): Promise<Position | undefined> {
    let position = from;
    while (!this.stopped) {
      if (this.overflowed) {
        this.overflowed = false;
        return position;
      }
      if (!this.pending(position)) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      await this.spaced();
      // The queue may have been dropped meanwhile: take nothing from after the gap.
      if (this.overflowed || this.stopped) continue;
      const batch = this.take(position);
      if (batch !== undefined) position = await this.deliver(batch.events, batch.through);
    }
    return position;
  }

  private pending(after: Position | undefined): boolean {
    return this.queue.some((q) => after === undefined || comparePositions(q.position, after) > 0);
  }

  /** Waits out the consumer's spacing unless a batch is already full or someone waits for its position. */
  private async spaced(): Promise<void> {
    const spacing = this.consumer.batching?.spacingMs ?? 0;
    const wait = this.lastHandledAt + spacing - Date.now();
    if (wait <= 0 || this.queue.length >= this.max || this.tracker.demanded) return;
    const p = pause(wait);
    this.interrupt = p.cancel;
    await p.done;
  }

  private take(after: Position | undefined): { events: T[]; through: Position } | undefined {
    const events: T[] = [];
    let through: Position | undefined;
    let taken = 0;
    for (const q of this.queue) {
      if (events.length >= this.max) break;
      taken += 1;
      if (after !== undefined && comparePositions(q.position, after) <= 0) continue;
      through = q.position;
      if (q.item !== undefined) events.push(q.item);
    }
    this.queue = this.queue.slice(taken);
    return through === undefined ? undefined : { events, through };
  }

  private async deliver(events: readonly T[], through: Position): Promise<Position> {
    if (events.length > 0) await this.consumer.handle(events, through);
    this.lastHandledAt = Date.now();
    this.delivered += 1;
    this.failure = undefined;
    this.tracker.advance(through);
    return through;
  }
}
