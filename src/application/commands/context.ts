import type { Refusal } from '../../domain/shared/decision.js';
import type { CommandMeta } from '../events/event-serde.js';
import type { EventStore, Position } from '../ports/event-store.js';
import type { ReadModelQueries } from '../ports/read-model.js';
import type { Scheduler } from '../ports/scheduler.js';
import type { AggregateRepository } from './aggregate-repository.js';
import type { BlockersIndex } from './blockers-index.js';

/** Who is acting: decoded from a verified token, and the socket it acts through (if any). */
export interface Actor {
  readonly userId: string;
  readonly username: string;
  readonly nickname: string;
  readonly avatar: string;
  readonly connectionId?: string;
}

export interface Policies {
  readonly nodeId: string;
  readonly inviteTtlMs: number;
  readonly inviteRateLimit: { readonly max: number; readonly windowMs: number };
  readonly gameGraceMs: number;
  readonly activityThrottleMs: number;
  /** How long a reservation engages a user before its invitation is sent; 10 s when absent. */
  readonly engagementHoldMs?: number;
}

export interface CommandDeps {
  readonly repo: AggregateRepository;
  readonly queries: ReadModelQueries;
  /** Who blocked a user, derived from the block streams (see blockers-index.ts). */
  readonly blockers: BlockersIndex;
  readonly policies: Policies;
  readonly now: () => Date;
  readonly newId: () => string;
  /** Where invitation expiries and game ends are scheduled; absent in tests that do not need them. */
  readonly scheduler?: Scheduler;
  /** The log, for the invitation safety net (lapsed-invitations.ts); absent in tests that do not need it. */
  readonly log?: Pick<EventStore, 'readAll'>;
}

export type Ok<T = object> = { readonly _tag: 'Ok'; readonly position: Position | undefined } & T;
export type Outcome<T = object> = Ok<T> | Refusal;

export const ok = <T extends object>(position: Position | undefined, extra: T): Ok<T> => ({ _tag: 'Ok', position, ...extra });

export const metaOf = (deps: CommandDeps, actor: Actor | undefined, correlationId: string, at: string): CommandMeta => ({
  ...(actor === undefined ? {} : { userId: actor.userId }),
  correlationId,
  timestamp: at,
});
