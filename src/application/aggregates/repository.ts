import type { Logger } from 'pino';
import type { Decider, DomainEvent } from '../../domain/shared/decider.js';
import type { PersonalData } from '../erasure/personal-data.js';
import type { EventStore } from '../ports/event-store.js';
import type { SnapshotStore } from '../ports/snapshot-store.js';
import { Aggregate, isAggregateOf, type AggregateContext, type Loaded as LoadedState } from './aggregate.js';
import { StateCache } from './state-cache.js';

export interface RepositoryOptions {
  /** Bound on the cached states' estimated sizes, in bytes (AGGREGATE_CACHE_MB). */
  readonly cacheBytes?: number;
  readonly maxAttempts?: number;
  /** Where the snapshots of deciders that declare `snapshot` are kept; without it every load replays from the start. */
  readonly snapshots?: SnapshotStore;
  /** A new snapshot is written once a stream is this many events past its last one (SNAPSHOT_EVERY). */
  readonly snapshotEvery?: number;
  readonly logger?: Logger;
  readonly newId?: () => string;
  /** Told each append's latency in seconds (metrics). */
  readonly onAppend?: (seconds: number) => void;
}

/**
 * Where every decider's streams are loaded and appended to: one state cache bounded by memory,
 * one command queue per stream (local commands never conflict, so a hot chat cannot livelock its
 * optimistic retries), one place snapshots are written from. Each decider is used through its
 * typed `Aggregate`.
 */
export class AggregateRepository {
  private readonly cache: StateCache;
  /** Tail of each stream's local command queue. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly snapshotWrites = new Set<Promise<void>>();
  private readonly context: AggregateContext;
  /** One Aggregate per decider, so that every caller shares its cached states. */
  private readonly byDecider = new WeakMap<object, unknown>();

  constructor(store: EventStore, personal: PersonalData, options: RepositoryOptions = {}) {
    this.cache = new StateCache(Math.max(1, Math.trunc(options.cacheBytes ?? 64 * 1024 * 1024)));
    this.context = {
      store,
      personal,
      maxAttempts: options.maxAttempts ?? 40,
      snapshots: options.snapshots,
      snapshotEvery: options.snapshotEvery ?? 500,
      logger: options.logger,
      newId: options.newId ?? (() => crypto.randomUUID()),
      onAppend: options.onAppend,
      queue: (streamId, work) => this.enqueue(streamId, work),
      saveLater: (write, streamId, revision) => this.saveLater(write, streamId, revision, options.logger),
    };
  }

  aggregate<C, S, E extends DomainEvent>(decider: Decider<C, S, E>): Aggregate<C, S, E> {
    const known = this.byDecider.get(decider);
    if (isAggregateOf(known, decider)) return known;
    const made = new Aggregate(decider, this.cache.view<LoadedState<S>>(), this.context);
    this.byDecider.set(decider, made);
    return made;
  }

  /** Drops a stream's cached state (an erased user's profile): the next load reads it again. */
  forget(streamId: string): void {
    this.cache.evict(streamId);
  }

  /** What the cache holds, by the deciders' estimates (for tests and metrics). */
  get cached(): { readonly entries: number; readonly bytes: number } {
    return { entries: this.cache.entries, bytes: this.cache.bytes };
  }

  /** Settles once every snapshot write started so far is done (at shutdown, and in tests). */
  async flushSnapshots(): Promise<void> {
    while (this.snapshotWrites.size > 0) await Promise.all([...this.snapshotWrites]);
  }

  private enqueue<T>(streamId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(streamId) ?? Promise.resolve();
    const run = previous.then(work);
    const tail = run.catch(() => undefined);
    this.queues.set(streamId, tail);
    void tail.then(() => {
      if (this.queues.get(streamId) === tail) this.queues.delete(streamId);
    });
    return run;
  }

  /** After the current turn; a failure is logged, and retried after the next `snapshotEvery` events. */
  private saveLater(write: () => Promise<void>, streamId: string, revision: number, logger: Logger | undefined): void {
    const saving = new Promise<void>((resolve) => setImmediate(resolve))
      .then(write)
      .catch((err: unknown) => logger?.warn({ err, streamId, revision }, 'could not write a snapshot: loads replay from the previous one'));
    this.snapshotWrites.add(saving);
    void saving.finally(() => this.snapshotWrites.delete(saving));
  }
}
