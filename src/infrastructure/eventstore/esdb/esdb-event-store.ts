import {
  BACKWARDS,
  DeadlineExceededError,
  END,
  EventStoreDBClient,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamRecordedEvent,
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
  EventFilter,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../../../application/ports/event-store.js';
import { comparePositions } from '../../../application/ports/position.js';
import type { Logger } from '../../logging/logger.js';
import { withTimeout } from '../../shared/with-timeout.js';
import { StreamHeads } from '../shared/stream-heads.js';
import { closeChannel, drain } from './esdb-client-support.js';
import { EventStoreTimeoutError } from './esdb-errors.js';
import { isSystemEvent, toEventData, toRecordedEvent } from './esdb-events.js';
import { eventMatcher, serverFilter } from './esdb-filter.js';
import { fromEsdbPosition, satisfiesExpected, toConflict, toEsdbExpectedRevision, toEsdbPosition, toRevision } from './esdb-mapping.js';
import { HeadsFollower, type HeadEvent, type HeadSource } from './esdb-heads-follower.js';
import { EsdbSubscription } from './esdb-subscription.js';

export interface EsdbEventStoreOptions {
  /** Bound on every call to the server, in ms. Default 10 000. */
  readonly timeoutMs?: number;
  /** Events per page when paging $all (readAll filters in the client, see there). Default 500. */
  readonly pageSize?: number;
  /** Events a subscription buffers before pausing the server stream. Default 1000. */
  readonly subscriptionBuffer?: number;
  /**
   * Follow $all to know streams' heads (isKnownCurrent), so that a command on a cached, current
   * aggregate costs its append only. Default true; off, every command reads before appending.
   */
  readonly followStreamHeads?: boolean;
  /** Back-off between attempts to resubscribe the heads subscription, in ms. Default 200 to 10 000. */
  readonly resubscribeMs?: { readonly min: number; readonly max: number };
  /** Where a dropped heads subscription is reported. */
  readonly logger?: Logger;
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
  private readonly subscriptions = new Set<{ close(): Promise<void> }>();
  private readonly heads = new StreamHeads();
  /** Started with the first call to the server; undefined when following is turned off. */
  private readonly follower: HeadsFollower | undefined;
  private used = false;
  private closed = false;

  constructor(
    private readonly esdb: EventStoreDBClient,
    options: EsdbEventStoreOptions = {},
  ) {
    this.timeoutMs = positive(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs');
    this.pageSize = Math.max(2, positive(options.pageSize ?? 500, 'pageSize'));
    this.subscriptionBuffer = positive(options.subscriptionBuffer ?? 1000, 'subscriptionBuffer');
    if (options.followStreamHeads !== false) {
      const logger = options.logger;
      this.follower = new HeadsFollower({
        heads: this.heads,
        headPosition: () => this.headPosition(),
        subscribe: (after, onConfirmed) => this.subscribeHeads(after, onConfirmed),
        retryMs: options.resubscribeMs ?? { min: 200, max: 10_000 },
        onError: (error, attempt) => logger?.warn({ err: error, attempt }, 'EventStoreDB: stream-heads subscription down; commands read before appending'),
      });
    }
  }

  /**
   * True when `revision` (-1: no stream) is known to be the stream's last: learnt from this
   * store's appends and reads, and from every node's appends through the $all subscription,
   * which must be up and caught up. May lag other nodes by the events in flight; see
   * HeadsFollower for why the command path may act on it all the same.
   */
  isKnownCurrent(streamId: string, revision: number): boolean {
    return this.follower?.live === true && this.heads.isCurrent(streamId, revision);
  }

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const expectedRevision = toEsdbExpectedRevision(expected);
    if (events.length === 0) return this.appendNothing(streamId, expected);
    const operation = `append to ${streamId}`;
    const learn = this.learner();
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
      // A replayed (idempotent) batch comes back without a position, and its revision need not be the head.
      if (result.position !== undefined) learn(streamId, nextRevision);
      const position = result.position ?? (await this.positionOf(streamId, nextRevision));
      return { _tag: 'Appended', nextRevision, position: fromEsdbPosition(position) };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        const conflict = toConflict(streamId, expected, error.actualVersion);
        if (conflict._tag === 'Conflict') learn(streamId, conflict.actual === 'no_stream' ? -1 : conflict.actual);
        return conflict;
      }
      // The client's deadline, or the server's commit timeout: the same indeterminate outcome.
      if (error instanceof DeadlineExceededError) throw new EventStoreTimeoutError(operation, this.timeoutMs);
      throw error;
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<readonly RecordedEvent[]> {
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (maxCount <= 0) return [];
    const from = Math.max(0, Math.trunc(options.fromRevision ?? 0));
    // Also read the event before `from`: that it exists and the read ends short of its count
    // tells the stream's head exactly (a read past the end returns nothing, whatever the head).
    const probe = from > 0 ? 1 : 0;
    const count = Math.min(Math.trunc(maxCount) + probe, Number.MAX_SAFE_INTEGER);
    const learn = this.learner();
    const read = this.readRaw(() => this.client().readStream(streamId, { fromRevision: BigInt(from - probe), maxCount: count }), `read stream ${streamId}`);
    const resolved = await read.catch((error: unknown) => {
      if (!(error instanceof StreamNotFoundError)) throw error;
      learn(streamId, -1);
      return [];
    });
    const last = resolved[resolved.length - 1]?.event;
    if (last !== undefined && resolved.length < count) learn(streamId, toRevision(last.revision));
    const first = BigInt(from);
    return resolved.flatMap((r) => (r.event === undefined || r.event.revision < first ? [] : [toRecordedEvent(r.event)]));
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
    return this.subscribe(options.after, options.filter, toRecordedEvent);
  }

  /**
   * The server takes appends when it answers (a full or read-only disk there shows in its own
   * health, not here): a bounded read of the head stands for the probe, since any write would
   * be an event in the log.
   */
  async checkWritable(): Promise<void> {
    await this.headPosition();
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
    // Not awaited yet: a call it has pending ends when the client is disposed.
    const following = this.follower?.close();
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    if (!this.used) return;
    try {
      await this.bounded(this.esdb.dispose(), 'dispose the client');
    } finally {
      await this.bounded(closeChannel(this.esdb), 'close the connection').catch(() => undefined);
      await following;
    }
  }

  private client(): EventStoreDBClient {
    this.assertOpen();
    if (!this.used) {
      this.used = true;
      this.follower?.start();
    }
    return this.esdb;
  }

  /**
   * How an operation about to be issued may teach stream heads: only once the heads
   * subscription is anchored (see HeadsFollower), else not at all. Entries only move forward,
   * so a read answered before an append that the subscription has already delivered cannot
   * take its stream back.
   */
  private learner(): (streamId: string, revision: number) => void {
    return this.follower?.anchored === true ? (streamId, revision) => this.heads.learn(streamId, revision) : () => undefined;
  }

  private subscribe<T>(
    after: Position | undefined,
    filter: EventFilter | undefined,
    decode: (r: AllStreamRecordedEvent) => T,
    onConfirmed?: () => void,
  ): EsdbSubscription<T> {
    const source = this.client().subscribeToAll({
      fromPosition: after === undefined ? START : toEsdbPosition(after),
      filter: serverFilter(filter),
    });
    const subscription = new EsdbSubscription(source, {
      after,
      matches: eventMatcher(filter),
      timeoutMs: this.timeoutMs,
      highWaterMark: this.subscriptionBuffer,
      decode,
      onConfirmed,
      onClose: (s) => this.subscriptions.delete(s),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Every node's appends, reduced to their streams' heads (nothing is decoded, so events of any shape count). */
  private subscribeHeads(after: Position | undefined, onConfirmed: () => void): HeadSource {
    return this.subscribe(after, undefined, toHeadEvent, onConfirmed);
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
    const learn = this.learner();
    const read = this.readRaw(
      () => this.client().readStream(streamId, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }),
      `read the end of ${streamId}`,
    );
    const resolved = await read.catch((error: unknown) => {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    });
    const last = resolved[0]?.event;
    learn(streamId, last === undefined ? -1 : toRevision(last.revision));
    return last;
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

const toHeadEvent = (r: AllStreamRecordedEvent): HeadEvent => ({
  streamId: r.streamId,
  revision: toRevision(r.revision),
  position: fromEsdbPosition(r.position),
});

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
