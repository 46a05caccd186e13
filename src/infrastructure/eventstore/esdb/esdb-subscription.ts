import type { AllStreamResolvedEvent, AllStreamSubscription } from '@eventstore/db-client';
import type { Position, RecordedEvent, Subscription } from '../../../application/ports/event-store.js';
import { comparePositions } from '../../../application/ports/position.js';
import { withTimeout } from '../../shared/with-timeout.js';
import { EventStoreTimeoutError } from './esdb-errors.js';
import { toRecordedEvent } from './esdb-events.js';
import type { EventMatcher } from './esdb-filter.js';
import { fromEsdbPosition } from './esdb-mapping.js';

export interface EsdbSubscriptionOptions {
  /** Exclusive lower bound; events at or before it are skipped even if the server sends them. */
  readonly after: Position | undefined;
  readonly matches: EventMatcher;
  /** Bound on the server's confirmation (or first event), and on unsubscribing. */
  readonly timeoutMs: number;
  /** Events buffered before the gRPC stream is paused (backpressure). */
  readonly highWaterMark: number;
  readonly onClose: (s: EsdbSubscription) => void;
}

/**
 * Our Subscription over the client's catch-up subscription to $all. Events are buffered from
 * the client's stream, which is paused while the consumer lags. A subscription the server
 * drops, or that is not confirmed in time, ends iteration with an error so that the consumer
 * can resubscribe from its checkpoint. Single consumer.
 */
export class EsdbSubscription implements Subscription {
  private buffer: AllStreamResolvedEvent[] = [];
  private failure: unknown;
  private ended = false;
  private closed = false;
  private confirmTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private readonly iterator: AsyncGenerator<RecordedEvent, void, undefined>;

  constructor(
    private readonly source: AllStreamSubscription,
    private readonly options: EsdbSubscriptionOptions,
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

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
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

  private async *run(): AsyncGenerator<RecordedEvent, void, undefined> {
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

  private accept(resolved: AllStreamResolvedEvent): RecordedEvent | undefined {
    const record = resolved.event;
    if (record === undefined || !this.options.matches(record)) return undefined;
    const after = this.options.after;
    if (after !== undefined && comparePositions(fromEsdbPosition(record.position), after) <= 0) return undefined;
    return toRecordedEvent(record);
  }

  private confirmed(): void {
    this.clearConfirmTimer();
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
