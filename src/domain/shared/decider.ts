import type { Refusal } from './decision.js';
import type { EventSet } from './event.js';
import type { Json } from './json.js';

/** An event's payload: a JSON object (each event's codec says which). */
export type EventData = Readonly<Record<string, unknown>>;

/** A domain event before it is stored: a type tag and a JSON-serialisable payload. */
export interface DomainEvent<T extends string = string, D extends EventData = EventData> {
  readonly type: T;
  readonly data: D;
}

/**
 * How a decider's state is kept as a snapshot (derived data, never a source of truth). Bump
 * `version` whenever the state's shape or meaning changes: a snapshot of another version is
 * ignored, and replaced from the log. `decode` answers undefined for anything it does not
 * recognise, so a corrupt snapshot only costs a full replay.
 */
export interface SnapshotCodec<S> {
  readonly version: number;
  encode(state: S): Json;
  decode(json: unknown): S | undefined;
}

/**
 * An aggregate as a pure decider. Everything `decide` needs beyond the state (time, ids,
 * facts looked up from other aggregates) comes in on the command, so replay never consults
 * the outside world.
 */
export interface Decider<C, S, E extends DomainEvent> {
  /** The events it emits and folds: how its stream is decoded, and what every append is checked against. */
  readonly events: EventSet<E>;
  readonly initialState: S;
  decide(command: C, state: S): readonly E[] | Refusal;
  evolve(state: S, event: E): S;
  /** Opt-in snapshots, for streams that grow without bound (see the application's snapshot codecs). */
  readonly snapshot?: SnapshotCodec<S>;
  /** A rough, cheap estimate of the state's size in memory (bytes), for a cache bounded by memory. */
  readonly sizeOf?: (state: S) => number;
}

export const fold = <S, E>(evolve: (s: S, e: E) => S, initial: S, events: readonly E[]): S => events.reduce(evolve, initial);
