import {
  BACKWARDS,
  DeadlineExceededError,
  END,
  EventStoreDBClient,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type ReadPosition,
  type ResolvedEvent,
  type StreamingRead,
} from '@eventstore/db-client';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../../../application/ports/event-store.js';
import { comparePositions } from '../../../application/ports/position.js';
import { withTimeout } from '../../shared/with-timeout.js';
import { closeChannel, drain } from './esdb-client-support.js';
import { EventStoreTimeoutError } from './esdb-errors.js';
import { isSystemEvent, toEventData, toRecordedEvent } from './esdb-events.js';
import { eventMatcher, serverFilter } from './esdb-filter.js';
import { fromEsdbPosition, satisfiesExpected, toConflict, toEsdbExpectedRevision, toEsdbPosition, toRevision } from './esdb-mapping.js';
import { EsdbSubscription } from './esdb-subscription.js';

export interface EsdbEventStoreOptions {
  /** Bound on every call to the server, in ms. Default 10 000. */
  readonly timeoutMs?: number;
  /** Events per page when paging $all (readAll filters in the client, see there). Default 500. */
  readonly pageSize?: number;
  /** Events a subscription buffers before pausing the server stream. Default 1000. */
  readonly subscriptionBuffer?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** Enough to step over a run of system events at the end of the log in one read. */
const HEAD_PAGE_SIZE = 256;
const NO_POSITION: Position = { commit: 0n, prepare: 0n };

/**
 * EventStore over EventStoreDB (gRPC client 6.x). Every call is bounded by `timeoutMs`
 * (EventStoreTimeoutError); system events are never returned. The store owns the client.
 */
export class EsdbEventStore implements EventStore {
  private readonly timeoutMs: number;
  private readonly pageSize: number;
  private readonly subscriptionBuffer: number;
  private readonly subscriptions = new Set<EsdbSubscription>();
  private used = false;
  private closed = false;

  constructor(
    private readonly esdb: EventStoreDBClient,
    options: EsdbEventStoreOptions = {},
  ) {
    this.timeoutMs = positive(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs');
    this.pageSize = Math.max(2, positive(options.pageSize ?? 500, 'pageSize'));
    this.subscriptionBuffer = positive(options.subscriptionBuffer ?? 1000, 'subscriptionBuffer');
  }

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const expectedRevision = toEsdbExpectedRevision(expected);
    if (events.length === 0) return this.appendNothing(streamId, expected);
    const operation = `append to ${streamId}`;
    try {
      const result = await this.bounded(
        this.client().appendToStream(streamId, events.map(toEventData), { expectedRevision, deadline: this.timeoutMs }),
        operation,
      );
      if (!result.success) {
        // Only with throwOnAppendFailure=false in the URL; the client then garbles the current
        // revision, so ask the stream.
        return toConflict(streamId, expected, (await this.lastEvent(streamId))?.revision ?? NO_STREAM);
      }
      const nextRevision = toRevision(result.nextExpectedRevision);
      // A replayed (idempotent) batch comes back without a position.
      const position = result.position ?? (await this.positionOf(streamId, nextRevision));
      return { _tag: 'Appended', nextRevision, position: fromEsdbPosition(position) };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) return toConflict(streamId, expected, error.actualVersion);
      // The client's deadline, or the server's commit timeout: the same indeterminate outcome.
      if (error instanceof DeadlineExceededError) throw new EventStoreTimeoutError(operation, this.timeoutMs);
      throw error;
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<readonly RecordedEvent[]> {
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (maxCount <= 0) return [];
    const fromRevision = BigInt(Math.max(0, Math.trunc(options.fromRevision ?? 0)));
    const read = this.readRaw(() => this.client().readStream(streamId, { fromRevision, maxCount: Math.trunc(maxCount) }), `read stream ${streamId}`);
    const resolved = await read.catch((error: unknown) => {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    });
    return resolved.flatMap((r) => (r.event === undefined ? [] : [toRecordedEvent(r.event)]));
  }

  /**
   * Client 6.x has no server-side filter for reads of $all (only for subscriptions), so this
   * pages through $all and filters here. ESDB reads from a position inclusively: everything at
   * or before the cursor is skipped, which makes `after` exclusive.
   */
  async readAll(options: ReadAllOptions = {}): Promise<readonly RecordedEvent[]> {
    const limit = options.maxCount ?? Number.POSITIVE_INFINITY;
    const matches = eventMatcher(options.filter);
    const found: RecordedEvent[] = [];
    let cursor = options.after;
    while (found.length < limit) {
      const page = await this.readAllPage(cursor);
      let advanced = false;
      for (const { event } of page) {
        if (event === undefined) continue;
        if (cursor !== undefined && comparePositions(event.position, cursor) <= 0) continue;
        cursor = fromEsdbPosition(event.position);
        advanced = true;
        if (!matches(event)) continue;
        found.push(toRecordedEvent(event));
        if (found.length >= limit) break;
      }
      if (page.length < this.pageSize || !advanced) break;
    }
    return found;
  }

  subscribeAll(options: SubscribeOptions = {}): Subscription {
    const after = options.after;
    const source = this.client().subscribeToAll({
      fromPosition: after === undefined ? START : toEsdbPosition(after),
      filter: serverFilter(options.filter),
    });
    const subscription = new EsdbSubscription(source, {
      after,
      matches: eventMatcher(options.filter),
      timeoutMs: this.timeoutMs,
      highWaterMark: this.subscriptionBuffer,
      onClose: (s) => this.subscriptions.delete(s),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** The last non-system event's position: reads $all backwards, past any system events. */
  async headPosition(): Promise<Position | undefined> {
    let before: Position | undefined;
    for (;;) {
      const from: ReadPosition = before === undefined ? END : toEsdbPosition(before);
      const page = await this.readRaw(
        () => this.client().readAll({ direction: BACKWARDS, fromPosition: from, maxCount: HEAD_PAGE_SIZE }),
        'read the head of $all',
      );
      const found = page.find((r) => r.event !== undefined && !isSystemEvent(r.event))?.event;
      if (found !== undefined) return fromEsdbPosition(found.position);
      const last = page[page.length - 1]?.event;
      if (page.length < HEAD_PAGE_SIZE || last === undefined) return undefined;
      // Only system events so far: go on before the oldest of them (guarding against no progress).
      if (before !== undefined && comparePositions(last.position, before) >= 0) return undefined;
      before = fromEsdbPosition(last.position);
    }
  }

  /** Ends subscriptions, cancels calls and closes the connection. Idempotent; never hangs. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    if (!this.used) return;
    try {
      await this.bounded(this.esdb.dispose(), 'dispose the client');
    } finally {
      await this.bounded(closeChannel(this.esdb), 'close the connection').catch(() => undefined);
    }
  }

  private client(): EventStoreDBClient {
    this.assertOpen();
    this.used = true;
    return this.esdb;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('EsdbEventStore is closed');
  }

  private bounded<T>(work: Promise<T>, operation: string, onTimeout?: () => void): Promise<T> {
    return withTimeout(work, this.timeoutMs, operation, {
      onTimeout,
      error: (op, ms) => new EventStoreTimeoutError(op, ms),
    });
  }

  /** A finite read, bounded; on timeout the gRPC call is cancelled. */
  private async readRaw<T>(open: () => StreamingRead<T>, operation: string): Promise<T[]> {
    const read = open();
    return this.bounded(drain(read), operation, () => void read.cancel().catch(() => undefined));
  }

  private readAllPage(after: Position | undefined): Promise<AllStreamResolvedEvent[]> {
    return this.readRaw(
      () => this.client().readAll({ fromPosition: after === undefined ? START : toEsdbPosition(after), maxCount: this.pageSize }),
      'read $all',
    );
  }

  async lastRevision(streamId: string): Promise<number | undefined> {
    const event = await this.lastEvent(streamId);
    return event === undefined ? undefined : Number(event.revision);
  }

  private async lastEvent(streamId: string): Promise<ResolvedEvent['event']> {
    const read = this.readRaw(
      () => this.client().readStream(streamId, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }),
      `read the end of ${streamId}`,
    );
    const resolved = await read.catch((error: unknown) => {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    });
    return resolved[0]?.event;
  }

  private async positionOf(streamId: string, revision: number): Promise<Position> {
    const [event] = await this.readStream(streamId, { fromRevision: revision, maxCount: 1 });
    if (event === undefined) throw new Error(`EventStoreDB: ${streamId}@${revision} acknowledged but not found`);
    return event.position;
  }

  /** Nothing to write: check the expectation against the stream as it is. */
  private async appendNothing(streamId: string, expected: ExpectedRevision): Promise<AppendResult> {
    const last = await this.lastEvent(streamId);
    const current = last === undefined ? undefined : toRevision(last.revision);
    if (!satisfiesExpected(expected, current)) return toConflict(streamId, expected, last?.revision ?? NO_STREAM);
    const position = last?.position === undefined ? NO_POSITION : fromEsdbPosition(last.position);
    return { _tag: 'Appended', nextRevision: current ?? -1, position };
  }
}

const positive = (n: number, name: string): number => {
  if (!(n > 0)) throw new RangeError(`${name} must be positive, got ${n}`);
  return n;
};

/**
 * Connects to EventStoreDB, e.g. `esdb://localhost:2113?tls=false`, and checks that it answers
 * (within the timeout), so that a wrong URL fails at startup rather than on first use.
 */
export const openEsdbEventStore = async (url: string, options: EsdbEventStoreOptions = {}): Promise<EsdbEventStore> => {
  const store = new EsdbEventStore(EventStoreDBClient.connectionString(url), options);
  try {
    await store.headPosition();
    return store;
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
};
