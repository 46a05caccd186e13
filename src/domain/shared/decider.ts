import type { Refusal } from './decision.js';

/** A domain event before it is stored: a type tag and a JSON-serialisable payload. */
export interface DomainEvent<T extends string = string, D = unknown> {
  readonly type: T;
  readonly data: D;
}

/**
 * An aggregate as a pure decider. Everything `decide` needs beyond the state (time, ids,
 * facts looked up from other aggregates) comes in on the command, so replay never consults
 * the outside world.
 */
export interface Decider<C, S, E extends DomainEvent> {
  readonly initialState: S;
  decide(command: C, state: S): readonly E[] | Refusal;
  evolve(state: S, event: E): S;
}

export const fold = <S, E>(evolve: (s: S, e: E) => S, initial: S, events: readonly E[]): S => events.reduce(evolve, initial);
