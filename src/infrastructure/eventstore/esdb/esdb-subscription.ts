import type { AllStreamRecordedEvent, AllStreamResolvedEvent, AllStreamSubscription } from '@eventstore/db-client';
import type { Position } from '../../../application/ports/event-store.js';
import { comparePositions } from '../../../application/ports/position.js';
import { withTimeout } from '../../shared/with-timeout.js';
import { EventStoreTimeoutError } from './esdb-errors.js';
import type { EventMatcher } from './esdb-filter.js';
import { fromEsdbPosition } from './esdb-mapping.js';

export interface EsdbSubscriptionOptions<T> {
  /** Exclusive lower bound; events at or before it are skipped even if the server sends them. */
  readonly after: Position | undefined;
  readonly matches: EventMatcher;
  /** Bound on the server's confirmation (or first event), and on unsubscribing. */
  readonly timeoutMs: number;
  /** Events buffered before the gRPC stream is paused (backpressure). */
  readonly highWaterMark: number;
  readonly onClose: (s: EsdbSubscription<T>) => void;
  /** What an accepted event is handed out as (a RecordedEvent for the store's subscribers). */
  readonly decode: (record: AllStreamRecordedEvent) => T;
  /** Called once, when the server confirms the subscription (or sends its first event). */
  readonly onConfirmed?: () => void;
}

/**
 * Our Subscription over the client's catch-up subscription to $all. Events are buffered from
 * the client's stream, which is paused while the consumer lags. A subscription the server
 * drops, or that is not confirmed in time, ends iteration with an error so that the consumer
 * can resubscribe from its checkpoint. Single consumer.
 */
export class EsdbSubscription<T> implements AsyncIterable<T> {
  private buffer: AllStreamResolvedEvent[] = [];
  private failure: unknown;
  private ended = false;
  private closed = false;
  private confirmTimer: NodeJS.Timeout | undefined;
  private isConfirmed = false;
  private wake: (() => void) | undefined;
  private readonly iterator: AsyncGenerator<T, void, undefined>;

  constructor(
    private readonly source: AllStreamSubscription,
    private readonly options: EsdbSubscriptionOptions<T>,
  ) {
    source.on('data', (resolved) => {
      this.confirmed();
      this.buffer.push(resolved);
      if (this.buffer.length >= options.highWaterMark) source.pause();
      this.notify();
    });
    source.on('confirmation', () => this.confirmed());
    // Always listened to: an 'error' without a listener would crash the process.
    source.on('error', (error) => this.fail(error));
    source.on('end', () => this.finish());
    source.on('close', () => this.finish());
    this.confirmTimer = setTimeout(() => this.fail(new EventStoreTimeoutError('subscribe to $all (no confirmation)', options.timeoutMs)), options.timeoutMs);
    this.iterator = this.run();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.iterator;
  }

  /** Ends iteration at once (buffered events are dropped) and cancels the server call. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clearConfirmTimer();
    this.buffer = [];
    this.notify();
    this.options.onClose(this);
    try {
      await withTimeout(this.source.unsubscribe(), this.options.timeoutMs, 'unsubscribe from $all');
    } catch {
      // Cancelling is best effort: the stream is destroyed below, the store's close() closes the channel.
    }
    this.source.destroy();
  }

  private async *run(): AsyncGenerator<T, void, undefined> {
    try {
      for (;;) {
        if (this.closed) return;
        const resolved = this.buffer.shift();
        if (resolved !== undefined) {
          if (this.buffer.length < this.options.highWaterMark / 2) this.source.resume();
          const event = this.accept(resolved);
          if (event !== undefined) yield event;
          continue;
        }
        if (this.failure !== undefined) throw this.failure;
        if (this.ended) throw new Error('EventStoreDB ended the subscription to $all');
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      await this.close();
    }
  }

  private accept(resolved: AllStreamResolvedEvent): T | undefined {
    const record = resolved.event;
    if (record === undefined || !this.options.matches(record)) return undefined;
    const after = this.options.after;
    if (after !== undefined && comparePositions(fromEsdbPosition(record.position), after) <= 0) return undefined;
    return this.options.decode(record);
  }

  private confirmed(): void {
    this.clearConfirmTimer();
    if (this.isConfirmed || this.failure !== undefined) return;
    this.isConfirmed = true;
    this.options.onConfirmed?.();
  }

  private fail(error: unknown): void {
    this.clearConfirmTimer();
    if (this.failure === undefined) this.failure = error ?? new Error('EventStoreDB subscription failed');
    this.notify();
    void this.source.unsubscribe().catch(() => undefined);
  }

  private finish(): void {
    this.ended = true;
    this.notify();
  }

  private clearConfirmTimer(): void {
    if (this.confirmTimer !== undefined) clearTimeout(this.confirmTimer);
    this.confirmTimer = undefined;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
