import type { UserIdentity } from '../../domain/user/identity.js';
import type { Aggregates } from '../aggregates/aggregates.js';
import type { BlockersIndex } from '../blocks/blockers-index.js';
import type { UsernameIndex } from '../erasure/username-index.js';
import type { CommandMeta } from '../log/stored.js';
import type { Lookups } from '../ports/read-model.js';
import type { Scheduler } from '../ports/scheduler.js';

/** Who is acting: a verified token's user, and the socket it acts through (if any). */
export interface Actor extends UserIdentity {
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

/** What command handlers work with. */
export interface CommandDeps {
  readonly aggregates: Aggregates;
  /**
   * The read models once they include everything stored before the call (a lookup never answers
   * "not found" for something already stored); throws ReadSideUnavailable past the bound.
   */
  readonly lookups: () => Promise<Lookups>;
  /** Who blocked a user, derived from the block streams (blocks/blockers-index.ts). */
  readonly blockers: BlockersIndex;
  /** Names the username streams by a keyed hash of the name (erasure/username-index.ts). */
  readonly usernames: Pick<UsernameIndex, 'hash'>;
  readonly policies: Policies;
  readonly now: () => Date;
  readonly newId: () => string;
  /** Where invitation expiries and game ends are scheduled; absent in tests that do not need them. */
  readonly scheduler?: Scheduler;
}

export const metaOf = (actor: Actor | undefined, correlationId: string, at: string): CommandMeta => ({
  ...(actor === undefined ? {} : { userId: actor.userId }),
  correlationId,
  timestamp: at,
});
