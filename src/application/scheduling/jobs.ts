import type { CommandDeps } from '../commands/context.js';
import type { NodeLeases } from '../ports/node-leases.js';
import { endGameJob } from './end-game.js';
import { expireInvitationJob } from './expire-invitation.js';
import type { OneOffJob, RecurringJob } from './job.js';
import { nodeLeaseCheckJob } from './node-lease-check.js';
import { presenceSweepJob } from './presence-sweep.js';

export interface SchedulingSettings {
  readonly nodeId: string;
  readonly sweepIntervalMs: number;
  readonly inactivityThresholdMs: number;
  readonly leaseTtlMs: number;
  /** The scheduler's polling period: a lease check may be locked this long before it runs. */
  readonly processEveryMs: number;
}

export interface JobCatalogue {
  readonly oneOff: readonly OneOffJob[];
  readonly recurring: readonly RecurringJob[];
}

/** Every job this service schedules. */
export const jobCatalogue = (deps: CommandDeps, leases: NodeLeases, s: SchedulingSettings): JobCatalogue => ({
  oneOff: [expireInvitationJob(deps), endGameJob(deps)],
  recurring: [
    presenceSweepJob(deps, { everyMs: s.sweepIntervalMs, inactivityThresholdMs: s.inactivityThresholdMs }),
    nodeLeaseCheckJob(deps, leases, { nodeId: s.nodeId, everyMs: s.leaseTtlMs, lockLifetimeMs: s.leaseTtlMs + s.processEveryMs }),
  ],
});
