import { endGameJob } from '../invitations/end-game-job.js';
import { expireInvitationJob } from '../invitations/expire-job.js';
import type { NodeLeases } from '../ports/node-leases.js';
import { nodeLeaseCheckJob } from '../presence/node-lease-check.js';
import { presenceSweepJob } from '../presence/sweep.js';
import type { CommandDeps } from '../shared/deps.js';
import type { OneOffJob, RecurringJob } from './job.js';

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
