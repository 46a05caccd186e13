import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { AnyDomainEvent } from '../../domain/events.js';
import type { Decider, SnapshotCodec } from '../../domain/shared/decider.js';
import { isRefusal, type Refusal } from '../../domain/shared/decision.js';
import { fromRecorded, toNewEvent, type CommandMeta } from '../events/event-serde.js';
import type { EventStore, Position } from '../ports/event-store.js';
import type { SnapshotStore } from '../ports/snapshot-store.js';

export interface Executed<S, E> {
  readonly _tag: 'Executed';
  readonly state: S;
  readonly events: readonly E[];
  /** Position of the last appended event; undefined when the decision was a no-op. */
  readonly position: Position | undefined;
}

/** A state as cached, caught up to `revision`. */
interface Loaded {
  readonly state: unknown;
  /** Revision of the last folded event; -1 for a stream that does not exist. */
  readonly revision: number;
  /** Id of the event at `revision` (what a snapshot of this state is checked against). */
  readonly eventId: string | undefined;
  /** Revision of the last snapshot written or read for this stream; -1 when none is known. */
  readonly snapshotAt: number;
  /** The decider's estimate of the state's size in bytes, for the cache's bound. */
  readonly size: number;
}

export interface RepositoryOptions {
  /** Bound on the cached states' estimated sizes, in bytes (AGGREGATE_CACHE_MB). */
  readonly cacheBytes: number;
  readonly maxAttempts: number;
  /** Where the snapshots of deciders that declare `snapshot` are kept; without it every load replays from the start. */
  readonly snapshots?: SnapshotStore;
  /** A new snapshot is written once a stream is this many events past its last one (SNAPSHOT_EVERY). */
  readonly snapshotEvery: number;
  readonly logger?: Logger;
}

const DEFAULTS: RepositoryOptions = { cacheBytes: 64 * 1024 * 1024, maxAttempts: 40, snapshotEvery: 500 };
/** For a decider without `sizeOf`: most states are a handful of fields. */
const DEFAULT_STATE_BYTES = 1024;
const PAGE = 4096;
const EMPTY = { revision: -1, eventId: undefined, snapshotAt: -1 } as const;

export class ConcurrencyExhaustedError extends Error {
  override readonly name = 'ConcurrencyExhaustedError';
}

/**
 * Load → decide → append with the expected revision, retrying on conflict. States are cached
 * and caught up from their revision before each decision, unless the store vouches that the
 * cached revision is the stream's last; a decision on such a state is either guarded by the
 * append's expected revision or, when it appends nothing, taken again on a state read from the
 * store. So another node's appends are always seen: the cache is derived from events, never a
 * source of truth.
 *
 * Snapshots are derived too: a cold load of a decider that declares `snapshot` starts from the
 * stream's snapshot (if it is of the decider's version, decodes, and its last event is the
 * stream's event at that revision) and reads only the events after it. A new snapshot is
 * written in the background every `snapshotEvery` events; a failed write is logged, never a
 * failed command.
 */
export class AggregateRepository {
  private readonly options: RepositoryOptions;
  private readonly cache: LRUCache<string, Loaded>;
  /** Tail of each stream's local command queue. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly snapshotWrites = new Set<Promise<void>>();

  constructor(
    private readonly store: EventStore,
    options: Partial<RepositoryOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.cache = new LRUCache({ maxSize: Math.max(1, Math.trunc(this.options.cacheBytes)), sizeCalculation: (entry) => entry.size });
  }

  /** What the cache holds, by the deciders' estimates (for tests and metrics). */
  get cached(): { readonly entries: number; readonly bytes: number } {
    return { entries: this.cache.size, bytes: this.cache.calculatedSize };
  }

  /** Settles once every snapshot write started so far is done (at shutdown, and in tests). */
  async flushSnapshots(): Promise<void> {
    while (this.snapshotWrites.size > 0) await Promise.all([...this.snapshotWrites]);
  }

  /**
   * The current state of a stream, caught up with the store. `verified: false` means it came
   * from the cache on the store's word that nothing was appended since (isKnownCurrent): exact
   * for this node's appends, possibly behind another node's (by a poll interval, or the events
   * in flight on the store's subscription).
   */
  async load<C, S, E extends AnyDomainEvent>(
    decider: Decider<C, S, E>,
    streamId: string,
    options: { readonly verify?: boolean } = {},
  ): Promise<{ state: S; revision: number; verified: boolean }> {
    const { loaded, verified } = await this.loadEntry(decider, streamId, options.verify === true);
    // A cached state always belongs to the decider of its stream.
    return { state: loaded.state as S, revision: loaded.revision, verified };
  }

  private async loadEntry<C, S, E extends AnyDomainEvent>(
    decider: Decider<C, S, E>,
    streamId: string,
    verify: boolean,
  ): Promise<{ loaded: Loaded; verified: boolean }> {
    const cached = this.cache.get(streamId);
    if (!verify && cached !== undefined && this.store.isKnownCurrent?.(streamId, cached.revision) === true) return { loaded: cached, verified: false };
    const start = cached ?? (await this.fromSnapshot(decider, streamId));
    const caught =
      (start === undefined ? undefined : await this.catchUp(decider, streamId, start, cached === undefined)) ??
      // No snapshot, or one that is not of this log: from the start.
      (await this.catchUp(decider, streamId, { ...EMPTY, state: decider.initialState }, false));
    if (caught === undefined) throw new Error(`${streamId}: a read from the start cannot mismatch`);
    // Absent streams too (revision -1): the commands of a message look up block lists that mostly never exist.
    return { loaded: this.remember(decider, streamId, caught), verified: true };
  }

  /**
   * Folds the events after `from`. From a snapshot (`checkEvent`), the read starts at the
   * snapshot's own revision, whose event must be the one it was taken after: otherwise
   * (another log under the same data directory, a truncated stream) undefined.
   */
  private async catchUp<C, S, E extends AnyDomainEvent>(
    decider: Decider<C, S, E>,
    streamId: string,
    from: Omit<Loaded, 'size'>,
    checkEvent: boolean,
  ): Promise<Omit<Loaded, 'size'> | undefined> {
    let state = from.state as S;
    let { revision, eventId } = from;
    let next = checkEvent ? revision : revision + 1;
    let check = checkEvent;
    for (;;) {
      const page = await this.store.readStream(streamId, { fromRevision: next, maxCount: PAGE });
      if (check) {
        const head = page[0];
        if (head === undefined || head.revision !== from.revision || head.id !== from.eventId) return undefined;
        check = false;
      }
      for (const recorded of page) {
        if (recorded.revision <= from.revision) continue;
        const event = fromRecorded(recorded);
        if (event !== undefined) state = decider.evolve(state, event as E);
        revision = recorded.revision;
        eventId = recorded.id;
      }
      if (page.length < PAGE) break;
      next = revision + 1;
    }
    return { state, revision, eventId, snapshotAt: from.snapshotAt };
  }

  /** The stream's snapshot as a starting point, if it is one this decider can use; never throws. */
  private async fromSnapshot<C, S, E extends AnyDomainEvent>(decider: Decider<C, S, E>, streamId: string): Promise<Omit<Loaded, 'size'> | undefined> {
    const codec = decider.snapshot;
    const snapshots = this.options.snapshots;
    if (codec === undefined || snapshots === undefined) return undefined;
    try {
      const snapshot = await snapshots.load(streamId);
      if (snapshot === undefined) return undefined;
      if (snapshot.version !== codec.version) {
        this.options.logger?.debug({ streamId, version: snapshot.version, expected: codec.version }, 'snapshot of another version ignored');
        return undefined;
      }
      const state = codec.decode(snapshot.state);
      if (state === undefined) {
        this.options.logger?.warn({ streamId, revision: snapshot.revision }, 'unreadable snapshot ignored: the stream is replayed');
        return undefined;
      }
      return { state, revision: snapshot.revision, eventId: snapshot.eventId, snapshotAt: snapshot.revision };
    } catch (err) {
      this.options.logger?.warn({ err, streamId }, 'could not read a snapshot: the stream is replayed');
      return undefined;
    }
  }

  /** Caches a state, and starts a snapshot of it when one is due. */
  private remember<C, S, E extends AnyDomainEvent>(decider: Decider<C, S, E>, streamId: string, loaded: Omit<Loaded, 'size'>): Loaded {
    const state = loaded.state as S;
    const codec = decider.snapshot;
    const due =
      codec !== undefined &&
      this.options.snapshots !== undefined &&
      loaded.eventId !== undefined &&
      loaded.revision - loaded.snapshotAt >= this.options.snapshotEvery;
    const entry: Loaded = {
      ...loaded,
      snapshotAt: due ? loaded.revision : loaded.snapshotAt,
      size: Math.max(1, Math.ceil(decider.sizeOf?.(state) ?? DEFAULT_STATE_BYTES)),
    };
    this.cache.set(streamId, entry);
    if (due && loaded.eventId !== undefined) this.writeSnapshot(codec, streamId, state, loaded.revision, loaded.eventId);
    return entry;
  }

  /** Off the command's path: encoded and saved after the current turn; a failure is logged, and retried after the next `snapshotEvery` events. */
  private writeSnapshot<S>(codec: SnapshotCodec<S>, streamId: string, state: S, revision: number, eventId: string): void {
    const snapshots = this.options.snapshots;
    if (snapshots === undefined) return;
    const write = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => snapshots.save({ streamId, version: codec.version, revision, eventId, state: codec.encode(state) }))
      .catch((err: unknown) => this.options.logger?.warn({ err, streamId, revision }, 'could not write a snapshot: loads replay from the previous one'));
    this.snapshotWrites.add(write);
    void write.finally(() => this.snapshotWrites.delete(write));
  }

  /**
   * Commands on one stream run one at a time on this node, so local commands never conflict
   * with each other (a hot chat would otherwise livelock its optimistic retries); conflicts
   * left are with other nodes, and are retried with a short jittered back-off.
   */
  execute<C, S, E extends AnyDomainEvent>(decider: Decider<C, S, E>, streamId: string, command: C, meta: CommandMeta): Promise<Executed<S, E> | Refusal> {
    const previous = this.queues.get(streamId) ?? Promise.resolve();
    const run = previous.then(() => this.decideAndAppend(decider, streamId, command, meta));
    const tail = run.catch(() => undefined);
    this.queues.set(streamId, tail);
    void tail.then(() => {
      if (this.queues.get(streamId) === tail) this.queues.delete(streamId);
    });
    return run;
  }

  private async decideAndAppend<C, S, E extends AnyDomainEvent>(
    decider: Decider<C, S, E>,
    streamId: string,
    command: C,
    meta: CommandMeta,
  ): Promise<Executed<S, E> | Refusal> {
    let verify = false;
    for (let attempt = 1; attempt <= this.options.maxAttempts; attempt++) {
      let { loaded, verified } = await this.loadEntry(decider, streamId, verify);
      let decision = decider.decide(command, loaded.state as S);
      // An append is guarded by its expected revision; a refusal or no-op is not, so it must
      // stand on a state read from the store, not on the cache's word.
      if ((isRefusal(decision) || decision.length === 0) && !verified) {
        ({ loaded, verified } = await this.loadEntry(decider, streamId, true));
        decision = decider.decide(command, loaded.state as S);
      }
      const state = loaded.state as S;
      if (isRefusal(decision)) return decision;
      if (decision.length === 0) return { _tag: 'Executed', state, events: [], position: undefined };
      const events = decision.map((e) => toNewEvent(e, meta));
      const result = await this.store.append(streamId, events, loaded.revision < 0 ? 'no_stream' : loaded.revision);
      if (result._tag === 'Conflict') {
        verify = true;
        await backOff(attempt);
        continue;
      }
      const next = decision.reduce(decider.evolve, state);
      this.remember(decider, streamId, { state: next, revision: result.nextRevision, eventId: events[events.length - 1]?.id, snapshotAt: loaded.snapshotAt });
      return { _tag: 'Executed', state: next, events: decision, position: result.position };
    }
    throw new ConcurrencyExhaustedError(`Gave up on ${streamId} after ${this.options.maxAttempts} conflicting attempts`);
  }
}

/**
 * Full jitter, growing to 100 ms. The first retries come at once: the reload already holds the
 * other node's events, so a quick second try usually wins. With 40 attempts, two nodes streaming
 * into one chat lose nothing (test/scheduling/hot-chat-two-nodes.test.ts); a command that still
 * conflicts after about 3 s of this is in a livelock that only an error can break.
 */
const backOff = (attempt: number): Promise<void> =>
  attempt <= 2 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 2 ** attempt)));
