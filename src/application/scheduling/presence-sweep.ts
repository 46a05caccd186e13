import type { CommandDeps } from '../commands/context.js';
import { sweepInactive } from '../commands/presence.js';
import { forEachConcurrently } from './for-each.js';
import { JOB_NAMES, type RecurringJob } from './job.js';
import { LapsedInvitations } from './lapsed-invitations.js';

/** Appends in flight at once: enough for the store's group commit, few enough to leave room for live traffic. */
export const SWEEP_CONCURRENCY = 32;

/**
 * Every `everyMs`: each online user with no activity since `inactivityThresholdMs` goes offline
 * (`user_offline` to `online_users`). The read model only nominates users; each decision is taken
 * on the user's presence stream, so a lagging read model can neither force an active user off nor
 * sweep twice. Then the invitation safety net.
 */
export const presenceSweepJob = (deps: CommandDeps, o: { readonly everyMs: number; readonly inactivityThresholdMs: number }): RecurringJob => {
  const lapsed = deps.log === undefined ? undefined : new LapsedInvitations(deps, deps.log);
  return {
    name: JOB_NAMES.presenceSweep,
    everyMs: o.everyMs,
    run: async (ctx) => {
      const online = await deps.queries.onlineUserIds();
      await forEachConcurrently(online, SWEEP_CONCURRENCY, ctx, (userId) => sweepInactive(deps, userId, o.inactivityThresholdMs, ctx.correlationId));
      await lapsed?.close(ctx.correlationId, () => ctx.touch());
    },
  };
};
