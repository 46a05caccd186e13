import type { Logger } from 'pino';
import type { Decider, DomainEvent } from '../../domain/shared/decider.js';
import { isRefusal, type Refusal } from '../../domain/shared/decision.js';
import type { PersonalData } from '../erasure/personal-data.js';
import { readStreamOf } from '../log/stream-reader.js';
import { toNewEvent, type CommandMeta } from '../log/stored.js';
import type { EventStore, Position } from '../ports/event-store.js';
import type { SnapshotStore } from '../ports/snapshot-store.js';
import type { StateCacheView } from './state-cache.js';

export interface Executed<S, E> {
  readonly _tag: 'Ok';
  readonly state: S;
  readonly events: readonly E[];
  /** Position of the last appended event; undefined when the decision was a no-op. */
  readonly position: Position | undefined;
}

/** A state as cached, caught up to `revision`. */
export interface Loaded<S> {
  readonly state: S;
  /** Revision of the last folded event; -1 for a stream that does not exist. */
  readonly revision: number;
  /** Id of the event at `revision` (what a snapshot of this state is checked against). */
  readonly eventId: string | undefined;
  /** Revision of the last snapshot written or read for this stream; -1 when none is known. */
  readonly snapshotAt: number;
}

/** What every aggregate of one repository shares. */
export interface AggregateContext {
  readonly store: EventStore;
  /** Seals personal data on the way in, opens it on the way out. */
  readonly personal: PersonalData;
  readonly maxAttempts: number;
  readonly snapshots: SnapshotStore | undefined;
  readonly snapshotEvery: number;
  readonly logger: Logger | undefined;
  readonly newId: () => string;
  /** Each append's latency, in seconds (metrics). */
  readonly onAppend: ((seconds: number) => void) | undefined;
  /** Runs `work` after the stream's earlier commands on this node. */
  queue<T>(streamId: string, work: () => Promise<T>): Promise<T>;
  /** Saves a snapshot off the command's path. */
  saveLater(write: () => Promise<void>, streamId: string, revision: number): void;
}

/** For a decider without `sizeOf`: most states are a handful of fields. */
const DEFAULT_STATE_BYTES = 1024;
const PAGE = 4096;

/** An Aggregate made for this very decider: its type parameters are the decider's. */
export const isAggregateOf = <C, S, E extends DomainEvent>(x: unknown, decider: Decider<C, S, E>): x is Aggregate<C, S, E> =>
  x instanceof Aggregate && x.decider === decider;

export class ConcurrencyExhaustedError extends Error {
  override readonly name = 'ConcurrencyExhaustedError';
}

/**
 * One decider's streams: load → decide → append with the expected revision, retrying on
 * conflict. States are cached and caught up from their revision before each decision, unless the
 * store vouches that the cached revision is the stream's last; a decision on such a state is
 * either guarded by the append's expected revision or, when it appends nothing, taken again on a
 * state read from the store. So another node's appends are always seen: the cache is derived
 * from events, never a source of truth.
 *
 * Snapshots are derived too: a cold load of a decider that declares `snapshot` starts from the
 * stream's snapshot (if it is of the decider's version, decodes, and its last event is the
 * stream's event at that revision) and reads only the events after it. A new snapshot is
 * written in the background every `snapshotEvery` events; a failed write is logged.
 */
export class Aggregate<C, S, E extends DomainEvent> {
  constructor(
    readonly decider: Decider<C, S, E>,
    private readonly cache: StateCacheView<Loaded<S>>,
    private readonly c: AggregateContext,
  ) {}

  /**
   * The current state of a stream, caught up with the store. `verified: false` means it came
   * from the cache on the store's word that nothing was appended since (isKnownCurrent): exact
   * for this node's appends, possibly behind another node's.
   */
  async load(streamId: string, options: { readonly verify?: boolean } = {}): Promise<{ state: S; revision: number; verified: boolean }> {
    const { loaded, verified } = await this.loadEntry(streamId, options.verify === true);
    return { state: loaded.state, revision: loaded.revision, verified };
  }

  /** Commands on one stream run one at a time on this node; conflicts left are with other nodes. */
  execute(streamId: string, command: C, meta: CommandMeta): Promise<Executed<S, E> | Refusal> {
    return this.c.queue(streamId, () => this.decideAndAppend(streamId, command, meta));
  }

  private async loadEntry(streamId: string, verify: boolean): Promise<{ loaded: Loaded<S>; verified: boolean }> {
    const cached = this.cache.get(streamId);
    if (!verify && cached !== undefined && this.c.store.isKnownCurrent?.(streamId, cached.revision) === true) return { loaded: cached, verified: false };
    const start = cached ?? (await this.fromSnapshot(streamId));
    const initial: Loaded<S> = { state: this.decider.initialState, revision: -1, eventId: undefined, snapshotAt: -1 };
    // No snapshot, or one that is not of this log: from the start (which cannot mismatch).
    const caught =
      (start === undefined ? undefined : await this.catchUp(streamId, start, cached === undefined)) ?? (await this.catchUp(streamId, initial, false));
    return { loaded: this.remember(streamId, caught ?? initial), verified: true };
  }

  /**
   * Folds the events after `from`. From a snapshot (`checkEvent`), the read starts at the
   * snapshot's own revision, whose event must be the one it was taken after: otherwise
   * (another log under the same data directory, a truncated stream) undefined.
   */
  private async catchUp(streamId: string, from: Loaded<S>, checkEvent: boolean): Promise<Loaded<S> | undefined> {
    let { state, revision, eventId } = from;
    let next = checkEvent ? revision : revision + 1;
    let check = checkEvent;
    for (;;) {
      const page = await readStreamOf(this.c.store, this.c.personal, this.decider.events, streamId, { fromRevision: next, maxCount: PAGE });
      if (check) {
        const head = page[0]?.recorded;
        if (head === undefined || head.revision !== from.revision || head.id !== from.eventId) return undefined;
        check = false;
      }
      for (const { recorded, event } of page) {
        if (recorded.revision <= from.revision) continue;
        if (event !== undefined) state = this.decider.evolve(state, event);
        revision = recorded.revision;
        eventId = recorded.id;
      }
      if (page.length < PAGE) break;
      next = revision + 1;
    }
    return { state, revision, eventId, snapshotAt: from.snapshotAt };
  }

  /** The stream's snapshot as a starting point, if it is one this decider can use; never throws. */
  private async fromSnapshot(streamId: string): Promise<Loaded<S> | undefined> {
    const codec = this.decider.snapshot;
    const snapshots = this.c.snapshots;
    if (codec === undefined || snapshots === undefined) return undefined;
    try {
      const snapshot = await snapshots.load(streamId);
      if (snapshot === undefined) return undefined;
      if (snapshot.version !== codec.version) {
        this.c.logger?.debug({ streamId, version: snapshot.version, expected: codec.version }, 'snapshot of another version ignored');
        return undefined;
      }
      const state = codec.decode(snapshot.state);
      if (state === undefined) {
        this.c.logger?.warn({ streamId, revision: snapshot.revision }, 'unreadable snapshot ignored: the stream is replayed');
        return undefined;
      }
      return { state, revision: snapshot.revision, eventId: snapshot.eventId, snapshotAt: snapshot.revision };
    } catch (err) {
      this.c.logger?.warn({ err, streamId }, 'could not read a snapshot: the stream is replayed');
      return undefined;
    }
  }

  /** Caches a state (absent streams too: the block lists a message's command looks up mostly never exist), and starts a snapshot when one is due. */
  private remember(streamId: string, loaded: Loaded<S>): Loaded<S> {
    const codec = this.decider.snapshot;
    const eventId = loaded.eventId;
    const due = codec !== undefined && this.c.snapshots !== undefined && eventId !== undefined && loaded.revision - loaded.snapshotAt >= this.c.snapshotEvery;
    const entry: Loaded<S> = due ? { ...loaded, snapshotAt: loaded.revision } : loaded;
    this.cache.set(streamId, entry, Math.max(1, Math.ceil(this.decider.sizeOf?.(loaded.state) ?? DEFAULT_STATE_BYTES)));
    const snapshots = this.c.snapshots;
    if (due && codec !== undefined && snapshots !== undefined && eventId !== undefined) {
      const { state, revision } = loaded;
      this.c.saveLater(() => snapshots.save({ streamId, version: codec.version, revision, eventId, state: codec.encode(state) }), streamId, revision);
    }
    return entry;
  }

  private async decideAndAppend(streamId: string, command: C, meta: CommandMeta): Promise<Executed<S, E> | Refusal> {
    let verify = false;
    for (let attempt = 1; attempt <= this.c.maxAttempts; attempt++) {
      let { loaded, verified } = await this.loadEntry(streamId, verify);
      let decision = this.decider.decide(command, loaded.state);
      // An append is guarded by its expected revision; a refusal or no-op is not, so it must
      // stand on a state read from the store, not on the cache's word.
      if ((isRefusal(decision) || decision.length === 0) && !verified) {
        ({ loaded, verified } = await this.loadEntry(streamId, true));
        decision = this.decider.decide(command, loaded.state);
      }
      if (isRefusal(decision)) return decision;
      if (decision.length === 0) return { _tag: 'Ok', state: loaded.state, events: [], position: undefined };
      const events = await Promise.all(decision.map((e) => toNewEvent(this.decider.events, e, meta, this.c.newId(), this.c.personal)));
      const started = process.hrtime.bigint();
      const result = await this.c.store.append(streamId, events, loaded.revision < 0 ? 'no_stream' : loaded.revision);
      this.c.onAppend?.(Number(process.hrtime.bigint() - started) / 1e9);
      if (result._tag === 'Conflict') {
        verify = true;
        await backOff(attempt);
        continue;
      }
      const state = decision.reduce((s, e) => this.decider.evolve(s, e), loaded.state);
      this.remember(streamId, { state, revision: result.nextRevision, eventId: events[events.length - 1]?.id, snapshotAt: loaded.snapshotAt });
      return { _tag: 'Ok', state, events: decision, position: result.position };
    }
    throw new ConcurrencyExhaustedError(`Gave up on ${streamId} after ${this.c.maxAttempts} conflicting attempts`);
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
