import { LRUCache } from 'lru-cache';
import type { AnyDomainEvent } from '../../domain/events.js';
import type { Decider } from '../../domain/shared/decider.js';
import { isRefusal, type Refusal } from '../../domain/shared/decision.js';
import { fromRecorded, toNewEvent, type CommandMeta } from '../events/event-serde.js';
import type { EventStore, Position } from '../ports/event-store.js';

export interface Executed<S, E> {
  readonly _tag: 'Executed';
  readonly state: S;
  readonly events: readonly E[];
  /** Position of the last appended event; undefined when the decision was a no-op. */
  readonly position: Position | undefined;
}

interface Snapshot {
  readonly state: unknown;
  /** Revision of the last folded event; -1 for a stream that does not exist. */
  readonly revision: number;
}

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
 */
export class AggregateRepository {
  private readonly cache: LRUCache<string, Snapshot>;
  /** Tail of each stream's local command queue. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: EventStore,
    private readonly options: { readonly cacheSize: number; readonly maxAttempts: number } = { cacheSize: 20_000, maxAttempts: 40 },
  ) {
    this.cache = new LRUCache({ max: options.cacheSize });
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
    const cached = this.cache.get(streamId);
    // A cached snapshot always belongs to the decider of its stream's prefix.
    let state = cached === undefined ? decider.initialState : (cached.state as S);
    let revision = cached?.revision ?? -1;
    if (options.verify !== true && cached !== undefined && this.store.isKnownCurrent?.(streamId, revision) === true) {
      return { state, revision, verified: false };
    }
    for (;;) {
      const page = await this.store.readStream(streamId, { fromRevision: revision + 1, maxCount: 4096 });
      for (const recorded of page) {
        const event = fromRecorded(recorded);
        if (event !== undefined) state = decider.evolve(state, event as E);
        revision = recorded.revision;
      }
      if (page.length < 4096) break;
    }
    // Absent streams too (revision -1): the commands of a message look up block lists that mostly never exist.
    this.cache.set(streamId, { state, revision });
    return { state, revision, verified: true };
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
      const loaded = await this.load(decider, streamId, { verify });
      let { state, revision } = loaded;
      let decision = decider.decide(command, state);
      // An append is guarded by its expected revision; a refusal or no-op is not, so it must
      // stand on a state read from the store, not on the cache's word.
      if ((isRefusal(decision) || decision.length === 0) && !loaded.verified) {
        ({ state, revision } = await this.load(decider, streamId, { verify: true }));
        decision = decider.decide(command, state);
      }
      if (isRefusal(decision)) return decision;
      if (decision.length === 0) return { _tag: 'Executed', state, events: [], position: undefined };
      const result = await this.store.append(
        streamId,
        decision.map((e) => toNewEvent(e, meta)),
        revision < 0 ? 'no_stream' : revision,
      );
      if (result._tag === 'Conflict') {
        verify = true;
        await backOff(attempt);
        continue;
      }
      const next = decision.reduce(decider.evolve, state);
      this.cache.set(streamId, { state: next, revision: result.nextRevision });
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
