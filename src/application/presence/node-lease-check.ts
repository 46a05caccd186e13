import type { NodeLeases } from '../ports/node-leases.js';
import { forEachConcurrently } from '../scheduling/for-each.js';
import { JOB_NAMES, type JobContext, type RecurringJob } from '../scheduling/job.js';
import type { CommandDeps } from '../shared/deps.js';
import { closeNodeConnections } from './connections.js';
import { SWEEP_CONCURRENCY } from './sweep.js';

export const closeOutDeadNodes = async (deps: CommandDeps, leases: NodeLeases, selfId: string, ctx: JobContext): Promise<readonly string[]> => {
  const now = deps.now();
  // Never this node: if its own lease looks lapsed, its renewals stalled, but it is alive and running this.
  const dead = (await leases.lapsed(now)).filter((nodeId) => nodeId !== selfId);
  if (dead.length === 0) return dead;
  const online = await (await deps.lookups()).onlineUserIds();
  for (const nodeId of dead) {
    // A user taken offline here has their invitations withdrawn by a reactor, as after any close.
    await forEachConcurrently(online, SWEEP_CONCURRENCY, ctx, (userId) => closeNodeConnections(deps, userId, nodeId, ctx.correlationId));
    // Only after every user was handled (a failure throws above, and the next run retries), and
    // only if it did not renew meanwhile: a node that was merely paused keeps its lease.
    await leases.forget(nodeId, now);
  }
  return dead;
};

/**
 * Every `everyMs` (the lease TTL), on one node at a time: the connections of nodes whose lease
 * lapsed are closed out. Its lock lifetime is short, so a node that dies holding this job does not
 * delay the clean-up of its own connections by much.
 */
export const nodeLeaseCheckJob = (
  deps: CommandDeps,
  leases: NodeLeases,
  o: { readonly nodeId: string; readonly everyMs: number; readonly lockLifetimeMs: number },
): RecurringJob => ({
  name: JOB_NAMES.nodeLeases,
  everyMs: o.everyMs,
  lockLifetimeMs: o.lockLifetimeMs,
  run: async (ctx) => {
    await closeOutDeadNodes(deps, leases, o.nodeId, ctx);
  },
});
