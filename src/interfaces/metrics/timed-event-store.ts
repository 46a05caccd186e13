import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  Position,
} from '../../application/ports/event-store.js';

/** The event store with each append's latency observed (in seconds); everything else passes through. */
export class TimedEventStore implements EventStore {
  readonly isKnownCurrent?: (streamId: string, revision: number) => boolean;

  constructor(
    private readonly inner: EventStore,
    private readonly observe: (seconds: number) => void,
  ) {
    const known = inner.isKnownCurrent?.bind(inner);
    if (known !== undefined) this.isKnownCurrent = known;
  }

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const started = process.hrtime.bigint();
    try {
      return await this.inner.append(streamId, events, expected);
    } finally {
      this.observe(Number(process.hrtime.bigint() - started) / 1e9);
    }
  }
  readStream(streamId: string, options?: ReadStreamOptions): Promise<readonly RecordedEvent[]> {
    return this.inner.readStream(streamId, options);
  }
  lastRevision(streamId: string): Promise<number | undefined> {
    return this.inner.lastRevision(streamId);
  }
  readAll(options?: ReadAllOptions): Promise<readonly RecordedEvent[]> {
    return this.inner.readAll(options);
  }
  subscribeAll(options?: SubscribeOptions): Subscription {
    return this.inner.subscribeAll(options);
  }
  checkWritable(): Promise<void> {
    return this.inner.checkWritable();
  }
  headPosition(): Promise<Position | undefined> {
    return this.inner.headPosition();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
