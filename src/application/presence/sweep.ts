import { forEachConcurrently } from '../scheduling/for-each.js';
import { JOB_NAMES, type RecurringJob } from '../scheduling/job.js';
import type { CommandDeps } from '../shared/deps.js';
import { sweepInactive } from './connections.js';

/** Appends in flight at once: enough for the store's group commit, few enough to leave room for live traffic. */
export const SWEEP_CONCURRENCY = 32;

/**
 * Every `everyMs`: each online user with no activity since `inactivityThresholdMs` goes offline
 * (`user_offline` to `online_users`). The read model only nominates users; each decision is taken
 * on the user's presence stream, so a lagging read model can neither force an active user off nor
 * sweep twice.
 */
export const presenceSweepJob = (deps: CommandDeps, o: { readonly everyMs: number; readonly inactivityThresholdMs: number }): RecurringJob => {
  return {
    name: JOB_NAMES.presenceSweep,
    everyMs: o.everyMs,
    run: async (ctx) => {
      const online = await (await deps.lookups()).onlineUserIds();
      await forEachConcurrently(online, SWEEP_CONCURRENCY, ctx, (userId) => sweepInactive(deps, userId, o.inactivityThresholdMs, ctx.correlationId));
    },
  };
};
